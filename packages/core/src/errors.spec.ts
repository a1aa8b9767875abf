import { DEFAULT_ERROR_MESSAGES, ERROR_CODES, type ErrorCode, httpStatusOf } from './errors';

describe('httpStatusOf', () => {
  it.each<[ErrorCode, number]>([
    ['UNAUTHORIZED', 401],
    ['KEY_REVOKED', 401],
    ['KEY_EXPIRED', 401],
    ['KEY_DISABLED', 401],
    ['INSUFFICIENT_PERMISSIONS', 403],
    ['RATE_LIMITED', 429],
    ['VALIDATION_FAILED', 400],
    ['NOT_FOUND', 404],
    ['METHOD_NOT_ALLOWED', 405],
    ['CONFLICT', 409],
  ])('answers %s with %d', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it.each(ERROR_CODES)('maps %s to an HTTP error status', (code) => {
    expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusOf(code)).toBeLessThan(600);
  });
});

describe('DEFAULT_ERROR_MESSAGES', () => {
  it.each(ERROR_CODES)('has a non-empty default message for %s', (code) => {
    expect(DEFAULT_ERROR_MESSAGES[code]).toEqual(expect.any(String));
    expect(DEFAULT_ERROR_MESSAGES[code].trim()).not.toBe('');
  });

  it('has a message for exactly the known codes', () => {
    expect(Object.keys(DEFAULT_ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('gives each code its own message', () => {
    expect(new Set(Object.values(DEFAULT_ERROR_MESSAGES)).size).toBe(ERROR_CODES.length);
  });
});
