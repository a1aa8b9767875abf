import { type VerifyCode, type VerifyKeyResponse } from '@keywarden/core';
import { KeywardenError } from '../errors';
import { decideFromAnswer, rateLimitHeaders, reject } from './decision';

const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const CONTEXT = { requestId: 'req_test', nowMs: NOW_MS };
const RATELIMIT = { limit: 100, remaining: 0, reset: NOW_S + 42 };

const IDENTITY_FIELDS = { keyId: 'key_1', appId: 'app_1', env: 'live', scopes: ['orders.read'] };

function refused(code: VerifyCode, extra: Partial<VerifyKeyResponse> = {}): VerifyKeyResponse {
  return { valid: false, code, keyId: 'key_1', ...extra };
}

describe('decideFromAnswer: refusals', () => {
  const matrix: Array<[VerifyCode, number]> = [
    ['UNAUTHORIZED', 401],
    ['KEY_REVOKED', 401],
    ['KEY_EXPIRED', 401],
    ['KEY_DISABLED', 401],
    ['INSUFFICIENT_PERMISSIONS', 403],
    ['IP_NOT_ALLOWED', 403],
    ['MODEL_NOT_ALLOWED', 403],
    ['RATE_LIMITED', 429],
    ['USAGE_EXCEEDED', 429],
  ];

  it.each(matrix)('answers %s with HTTP %i', (code, status) => {
    const decision = decideFromAnswer(refused(code, { ratelimit: RATELIMIT }), CONTEXT);

    expect(decision).toMatchObject({ allow: false, status });
  });

  it.each(matrix)('answers %s with the error envelope and its request id', (code) => {
    const decision = decideFromAnswer(refused(code), CONTEXT);

    expect(decision.allow).toBe(false);
    if (decision.allow) return;
    expect(decision.body).toEqual({ error: { code, message: expect.any(String), requestId: 'req_test' } });
    expect(decision.body.error.message.length).toBeGreaterThan(0);
  });

  it('names the scope asked for in an INSUFFICIENT_PERMISSIONS message', () => {
    const decision = decideFromAnswer(refused('INSUFFICIENT_PERMISSIONS'), { ...CONTEXT, scope: 'orders.write' });

    expect(decision).toMatchObject({ body: { error: { message: 'API key lacks the required scope: orders.write' } } });
  });

  it('uses the public message of the code otherwise', () => {
    expect(decideFromAnswer(refused('KEY_REVOKED'), CONTEXT)).toMatchObject({
      body: { error: { message: 'API key has been revoked' } },
    });
  });

  it.each<[string, string, number]>([
    ['an unknown code', 'KEY_QUARANTINED', 401],
    ['a refusal code', 'KEY_REVOKED', 401],
  ])('refuses valid: true with %s instead of letting it through', (_label, code, status) => {
    const answer = { valid: true, code, ...IDENTITY_FIELDS } as unknown as VerifyKeyResponse;

    expect(decideFromAnswer(answer, CONTEXT)).toMatchObject({ allow: false, status });
  });

  it('refuses a code this SDK does not know as UNAUTHORIZED rather than letting it through', () => {
    const answer = { valid: false, code: 'KEY_QUARANTINED' } as unknown as VerifyKeyResponse;

    expect(decideFromAnswer(answer, CONTEXT)).toMatchObject({ allow: false, status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });

  it('sets the rate-limit headers on a refusal that carries the rate limit', () => {
    const decision = decideFromAnswer(refused('IP_NOT_ALLOWED', { ratelimit: { limit: 10, remaining: 7, reset: NOW_S + 60 } }), CONTEXT);

    expect(decision.headers).toEqual({
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '7',
      'X-RateLimit-Reset': String(NOW_S + 60),
    });
  });

  it('adds Retry-After to RATE_LIMITED: the seconds until the window resets', () => {
    const decision = decideFromAnswer(refused('RATE_LIMITED', { ratelimit: RATELIMIT }), CONTEXT);

    expect(decision.headers).toEqual({ ...rateLimitHeaders(RATELIMIT), 'Retry-After': '42' });
  });

  it('adds Retry-After to USAGE_EXCEEDED: the seconds until the next UTC midnight', () => {
    const decision = decideFromAnswer(refused('USAGE_EXCEEDED'), CONTEXT);

    expect(decision.headers).toEqual({ 'Retry-After': String(12 * 3600) });
  });

  it('sends no Retry-After outside 429', () => {
    expect(decideFromAnswer(refused('KEY_EXPIRED', { ratelimit: RATELIMIT }), CONTEXT).headers).not.toHaveProperty('Retry-After');
  });
});

describe('decideFromAnswer: valid keys', () => {
  it('lets the request through with the identity of the key and its request id', () => {
    const decision = decideFromAnswer({ valid: true, code: 'VALID', ...IDENTITY_FIELDS, expiresAt: '2027-01-01T00:00:00.000Z' }, CONTEXT);

    expect(decision).toEqual({
      allow: true,
      headers: {},
      identity: { ...IDENTITY_FIELDS, expiresAt: '2027-01-01T00:00:00.000Z', requestId: 'req_test' },
    });
  });

  it('carries the rate limit into the headers and the identity', () => {
    const ratelimit = { limit: 50, remaining: 49, reset: NOW_S + 3600 };
    const decision = decideFromAnswer({ valid: true, code: 'VALID', ...IDENTITY_FIELDS, ratelimit }, CONTEXT);

    expect(decision).toMatchObject({ allow: true, headers: rateLimitHeaders(ratelimit), identity: { ratelimit, expiresAt: null } });
  });

  it('hands over the lease id to release', () => {
    const decision = decideFromAnswer({ valid: true, code: 'VALID', ...IDENTITY_FIELDS, leaseId: 'lease_1' }, CONTEXT);

    expect(decision).toMatchObject({ allow: true, leaseId: 'lease_1' });
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['a list', []],
    ['a string', 'x'],
    ['a refusal without its code', { valid: false }],
  ])('throws a KeywardenError (the middleware answers 503) for %s, never a verdict on the key', (_label, answer) => {
    expect(() => decideFromAnswer(answer, CONTEXT)).toThrow(KeywardenError);
  });

  it('refuses a code verify does not answer (INTERNAL_ERROR) as UNAUTHORIZED, never passing its status on', () => {
    expect(decideFromAnswer({ valid: false, code: 'INTERNAL_ERROR' }, CONTEXT)).toMatchObject({ allow: false, status: 401 });
  });

  it('throws a KeywardenError for a valid answer without the key identity', () => {
    expect(() => decideFromAnswer({ valid: true, code: 'VALID', keyId: 'key_1' }, CONTEXT)).toThrow(KeywardenError);
  });
});

describe('reject', () => {
  it('answers the envelope with details when given', () => {
    const rejection = reject('VALIDATION_FAILED', 'req_1', { message: 'Request validation failed', details: [{ field: 'model', message: 'too long' }] });

    expect(rejection).toEqual({
      allow: false,
      status: 400,
      headers: {},
      body: { error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', requestId: 'req_1', details: [{ field: 'model', message: 'too long' }] } },
    });
  });
});
