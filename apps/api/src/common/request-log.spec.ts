import { requestLogLevel } from './request-log';

describe('requestLogLevel', () => {
  it('logs every request that is not a verify at info', () => {
    expect(requestLogLevel(undefined, 0)).toBe('info');
  });

  it.each(['KEY_REVOKED', 'UNAUTHORIZED', 'RATE_LIMITED', 'IP_NOT_ALLOWED'])('logs a verify refused with %s at info, sampled or not', (code) => {
    expect(requestLogLevel(code, 0, () => 0.99)).toBe('info');
  });

  it('logs an admitted verify at debug when sampling is off', () => {
    expect(requestLogLevel('VALID', 0, () => 0)).toBe('debug');
  });

  it('keeps the sampled share of admitted verifies at info', () => {
    expect(requestLogLevel('VALID', 0.25, () => 0.1)).toBe('info');
    expect(requestLogLevel('VALID', 0.25, () => 0.3)).toBe('debug');
  });

  it('logs every admitted verify at info at a rate of 1', () => {
    expect(requestLogLevel('VALID', 1, () => 0.999999)).toBe('info');
  });
});
