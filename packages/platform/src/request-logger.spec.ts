import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { RequestLogger } from './request-logger';

function recordingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

test('builds no child logger for a request that logs nothing', () => {
  const { logger } = recordingLogger();
  const child = jest.spyOn(logger, 'child');
  const requestLog = new RequestLogger(logger, { reqId: 'req_1' }, {});
  expect(requestLog.isLevelEnabled('debug')).toBe(false);
  expect(requestLog.isLevelEnabled('info')).toBe(true);
  expect(requestLog.level).toBe('info');
  expect(child).not.toHaveBeenCalled();
});

test('a line it writes carries the request binding, once the child is built', () => {
  const { logger, lines } = recordingLogger();
  const requestLog = new RequestLogger(logger, { reqId: 'req_1' }, {});
  requestLog.info({ status: 200 }, 'request completed');
  requestLog.warn('second');
  expect(lines).toEqual([
    expect.objectContaining({ reqId: 'req_1', status: 200, msg: 'request completed', level: 30 }),
    expect.objectContaining({ reqId: 'req_1', msg: 'second', level: 40 }),
  ]);
});

test('a level of its own decides what it writes', () => {
  const { logger, lines } = recordingLogger();
  const requestLog = new RequestLogger(logger, { reqId: 'req_1' }, { level: 'debug' });
  expect(requestLog.isLevelEnabled('debug')).toBe(true);
  requestLog.debug('detail');
  expect(lines).toEqual([expect.objectContaining({ reqId: 'req_1', msg: 'detail' })]);
});
