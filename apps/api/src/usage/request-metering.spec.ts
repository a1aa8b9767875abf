import type { Principal } from '../credentials/principal';
import { type FinishedRequest, usageEventOf } from './request-metering';

const caller = { keyId: 'key_admin', workspaceId: 'ws_1', appId: null, customerId: null } as Principal;
const NOW = Date.parse('2026-01-02T03:04:05.000Z');

function finished(overrides: Partial<FinishedRequest>): FinishedRequest {
  return {
    method: 'GET',
    routeUrl: '/v1/keys/:id',
    requestId: 'req_1',
    ip: '203.0.113.7',
    principal: caller,
    body: undefined,
    status: 200,
    latencyMs: 1.5,
    outcome: { kind: 'answered' },
    ...overrides,
  };
}

describe('usageEventOf', () => {
  it('bills nobody for an unauthenticated request', () => {
    expect(usageEventOf(finished({ principal: undefined, status: 401 }), NOW)).toBeNull();
  });

  it('bills nobody for a request of a customer in the portal (a session, not a key)', () => {
    const customer = { ...caller, keyId: 'portal:cus_01jz0000000000000000000000' } as Principal;
    expect(usageEventOf(finished({ principal: customer, routeUrl: '/v1/portal/keys' }), NOW)).toBeNull();
  });

  it('turns an answered management call into one request event of the caller', () => {
    expect(usageEventOf(finished({}), NOW)).toMatchObject({
      timestamp: '2026-01-02T03:04:05.000Z',
      workspaceId: 'ws_1',
      keyId: 'key_admin',
      appId: null,
      kind: 'request',
      route: 'GET /v1/keys/:id',
      outcome: 'VALID',
      status: 200,
      ip: '203.0.113.7',
      requestId: 'req_1',
      latencyMs: 1.5,
    });
  });

  it("names the customer of the app key that made a request (its usage by customer counts it)", () => {
    const appKey = { ...caller, keyId: 'key_app', kind: 'app', appId: 'app_1', customerId: 'cus_1' } as Principal;
    expect(usageEventOf(finished({ principal: appKey, routeUrl: '/v1/me' }), NOW)).toMatchObject({
      kind: 'request',
      keyId: 'key_app',
      appId: 'app_1',
      customerId: 'cus_1',
    });
  });

  it('takes a failed request outcome from its error envelope code', () => {
    const event = usageEventOf(finished({ status: 409, outcome: { kind: 'failed', errorCode: 'CONFLICT' } }), NOW);
    expect(event).toMatchObject({ kind: 'request', outcome: 'CONFLICT', status: 409 });
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'INSUFFICIENT_PERMISSIONS'],
    [404, 'NOT_FOUND'],
    [429, 'RATE_LIMITED'],
    [400, 'VALIDATION_FAILED'],
    [503, 'INTERNAL_ERROR'],
  ])('names a failure without an envelope by its status %i', (status, outcome) => {
    expect(usageEventOf(finished({ status }), NOW)?.outcome).toBe(outcome);
  });

  it('bills a verify of a known key to that key, with what the caller declared', () => {
    const event = usageEventOf(
      finished({
        method: 'POST',
        routeUrl: '/v1/keys/verify',
        body: { key: 'kw_secret', scope: 'chat', model: 'gpt', units: 3, cost: 0.25, requestId: 'r-9', ip: '198.51.100.1' },
        outcome: { kind: 'verified', response: { valid: true, code: 'VALID', keyId: 'key_7', appId: 'app_3' } },
      }),
      NOW,
    );
    expect(event).toMatchObject({
      workspaceId: 'ws_1',
      appId: 'app_3',
      keyId: 'key_7',
      kind: 'verify',
      route: 'POST /v1/keys/verify',
      scope: 'chat',
      model: 'gpt',
      outcome: 'VALID',
      ip: '198.51.100.1',
      units: 3,
      costMicros: 250_000,
      requestId: 'r-9',
    });
    expect(JSON.stringify(event)).not.toContain('kw_secret');
  });

  it("counts a refused verify of a known key without the units and cost it declared (it spent nothing)", () => {
    const event = usageEventOf(
      finished({
        method: 'POST',
        routeUrl: '/v1/keys/verify',
        body: { key: 'kw_secret', units: 3, cost: 1.5 },
        outcome: { kind: 'verified', response: { valid: false, code: 'USAGE_EXCEEDED', keyId: 'key_7', appId: 'app_3' } },
      }),
      NOW,
    );
    expect(event).toMatchObject({ keyId: 'key_7', kind: 'verify', outcome: 'USAGE_EXCEEDED', units: 0, costMicros: 0 });
  });

  it('bills a verify of an unknown key to the caller workspace alone, from the caller IP', () => {
    const event = usageEventOf(
      finished({ body: { key: 'kw_nope' }, outcome: { kind: 'verified', response: { valid: false, code: 'UNAUTHORIZED' } } }),
      NOW,
    );
    expect(event).toMatchObject({
      workspaceId: 'ws_1',
      appId: null,
      keyId: null,
      kind: 'verify',
      outcome: 'UNAUTHORIZED',
      ip: '203.0.113.7',
      units: 0,
      costMicros: 0,
      requestId: null,
    });
  });
});
