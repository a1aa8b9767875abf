import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { API_DIR } from './harness/paths';

/** An API that cannot start says why in one line on stderr, and exits 1. */

it('reports an unreachable PostgreSQL in one line, without a stack trace', async () => {
  const api = spawn(process.execPath, ['dist/main.js'], {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
      KW_PEPPER: 'keywarden-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
      KW_QUEUE_PREFIX: 'kwunreachable',
      PORT: '0',
    },
  });
  let stderr = '';
  api.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(api, 'exit')) as [number];
  expect(code).toBe(1);
  expect(stderr).toBe('keywarden api failed to start: connect ECONNREFUSED 127.0.0.1:1\n');
});
