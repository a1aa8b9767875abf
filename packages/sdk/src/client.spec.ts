import { inspect } from 'node:util';
import type { AdminKeyRevocation, Alert, AppKey, BulkKeysResponse, Page, ReportLeakResponse } from '@keywarden/core';
import { Keywarden, type KeywardenOptions } from './client';
import { KeywardenError } from './errors';

const API_KEY = 'kw_admin_7hQz3XbW9kLmN2pR4sT6vY8aC0dE1f';
const BASE_URL = 'http://kw.test';

/** One scripted answer: a response, a thrown error, or a function of the abort signal. */
type Step = Response | Error | ((signal: AbortSignal) => Promise<Response>);

interface RecordedCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeFetch(steps: Step[]) {
  const calls: RecordedCall[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    const step = steps.shift();
    if (step === undefined) throw new Error('test: unexpected extra fetch call');
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(init!.signal!);
    return step;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function envelope(status: number, code: string, message: string, requestId = 'req_test'): Response {
  return json(status, { error: { code, message, requestId } });
}

function client(steps: Step[], options: Partial<KeywardenOptions> = {}) {
  const fake = fakeFetch(steps);
  const kw = new Keywarden({ baseUrl: BASE_URL, apiKey: API_KEY, fetch: fake.fetch, ...options });
  return { kw, calls: fake.calls };
}

/** Runs the backoff and timeout timers to completion and hands back what the call ended with. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await jest.runAllTimersAsync();
  return outcome;
}

async function failure(promise: Promise<unknown>): Promise<KeywardenError> {
  const { error } = await settle(promise);
  if (!(error instanceof KeywardenError)) throw new Error(`expected a KeywardenError, got ${String(error)}`);
  return error;
}

const APP_KEY: AppKey = {
  id: 'key_1',
  appId: 'app_1',
  environment: 'live',
  name: 'checkout',
  description: null,
  group: null,
  prefix: 'kw_live_a1B2',
  scopes: ['orders.read'],
  metadata: {},
  policy: null,
  customerId: null,
  status: 'active',
  createdAt: '2025-01-01T00:00:00.000Z',
  createdBy: 'akey_1',
  updatedAt: '2025-01-01T00:00:00.000Z',
  lastUsedAt: null,
  expiresAt: null,
  secrets: [],
  canary: false,
  containment: null,
};

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('constructor', () => {
  it('rejects a missing api key', () => {
    expect(() => new Keywarden({ baseUrl: BASE_URL, apiKey: '' })).toThrow('Keywarden: apiKey is required');
  });

  it('rejects a base URL that is not absolute http(s), without echoing the api key', () => {
    let thrown: unknown;
    try {
      new Keywarden({ baseUrl: 'kw.test', apiKey: API_KEY });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toBe('Keywarden: baseUrl must be an absolute http(s) URL');
  });

  it.each([
    ['a trailing newline', `${API_KEY}\n`],
    ['a carriage return inside', `${API_KEY.slice(0, 10)}\r${API_KEY.slice(10)}`],
    ['a space', ` ${API_KEY}`],
  ])('rejects an api key with %s, without echoing it', (_case, apiKey) => {
    let thrown: unknown;
    try {
      new Keywarden({ baseUrl: BASE_URL, apiKey });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toBe('Keywarden: apiKey holds a space, line break or other character no key has (check for a trailing newline)');
  });

  it('rejects a negative retry count', () => {
    expect(() => new Keywarden({ baseUrl: BASE_URL, apiKey: API_KEY, retries: -1 })).toThrow(RangeError);
  });

  it('keeps the api key out of JSON.stringify and inspect of the client', () => {
    const { kw } = client([]);

    expect(JSON.stringify(kw)).not.toContain(API_KEY);
    expect(inspect(kw, { depth: 5 })).not.toContain(API_KEY);
  });
});

describe('request shape', () => {
  it('sends the api key as a Bearer token and asks for JSON', async () => {
    const { kw, calls } = client([json(200, { keyId: 'akey_1' })]);

    await kw.me();

    expect(calls[0].headers).toEqual({ Authorization: `Bearer ${API_KEY}`, Accept: 'application/json' });
  });

  it('keeps a path prefix of the base URL and drops its trailing slash', async () => {
    const { kw, calls } = client([json(200, {})], { baseUrl: 'https://kw.test/api/' });

    await kw.me();

    expect(calls[0].url).toBe('https://kw.test/api/v1/me');
  });

  const routes: Array<[string, (kw: Keywarden) => Promise<unknown>, string, string]> = [
    ['apps.create', (kw) => kw.apps.create({ name: 'shop' }), 'POST', '/v1/apps'],
    ['apps.list', (kw) => kw.apps.list(), 'GET', '/v1/apps'],
    ['apps.get', (kw) => kw.apps.get('app_1'), 'GET', '/v1/apps/app_1'],
    ['apps.update', (kw) => kw.apps.update('app_1', { name: 'shop2' }), 'PATCH', '/v1/apps/app_1'],
    ['apps.delete', (kw) => kw.apps.delete('app_1'), 'DELETE', '/v1/apps/app_1'],
    ['adminKeys.create', (kw) => kw.adminKeys.create({ name: 'ci', role: 'viewer' }), 'POST', '/v1/admin-keys'],
    ['adminKeys.list', (kw) => kw.adminKeys.list(), 'GET', '/v1/admin-keys'],
    ['adminKeys.revoke', (kw) => kw.adminKeys.revoke('akey_1'), 'DELETE', '/v1/admin-keys/akey_1'],
    [
      'keys.create',
      (kw) => kw.keys.create({ appId: 'app_1', name: 'k', environment: 'live', scopes: ['read'] }),
      'POST',
      '/v1/keys',
    ],
    ['keys.list', (kw) => kw.keys.list(), 'GET', '/v1/keys'],
    ['keys.get', (kw) => kw.keys.get('key_1'), 'GET', '/v1/keys/key_1'],
    ['keys.update', (kw) => kw.keys.update('key_1', { name: 'k2' }), 'PATCH', '/v1/keys/key_1'],
    ['keys.rotate', (kw) => kw.keys.rotate('key_1'), 'POST', '/v1/keys/key_1/rotate'],
    ['keys.revoke', (kw) => kw.keys.revoke('key_1'), 'POST', '/v1/keys/key_1/revoke'],
    ['keys.disable', (kw) => kw.keys.disable('key_1'), 'POST', '/v1/keys/key_1/disable'],
    ['keys.enable', (kw) => kw.keys.enable('key_1'), 'POST', '/v1/keys/key_1/enable'],
    ['keys.verify', (kw) => kw.keys.verify({ key: 'kw_live_x' }), 'POST', '/v1/keys/verify'],
    ['verifyKey', (kw) => kw.verifyKey('kw_live_x'), 'POST', '/v1/keys/verify'],
    ['keys.releaseLease', (kw) => kw.keys.releaseLease('lease_1'), 'POST', '/v1/keys/leases/lease_1/release'],
    ['audit.list', (kw) => kw.audit.list(), 'GET', '/v1/audit'],
    ['me', (kw) => kw.me(), 'GET', '/v1/me'],
  ];

  it.each(routes)('%s calls the right method and path', async (_name, invoke, method, path) => {
    const { kw, calls } = client([json(200, {})]);

    await invoke(kw);

    expect(calls).toHaveLength(1);
    expect({ method: calls[0].method, url: calls[0].url }).toEqual({ method, url: `${BASE_URL}${path}` });
  });

  it('encodes ids so they cannot leave their path segment', async () => {
    const { kw, calls } = client([json(200, APP_KEY)]);

    await kw.keys.get('key/../x?y#z');

    expect(calls[0].url).toBe(`${BASE_URL}/v1/keys/key%2F..%2Fx%3Fy%23z`);
  });

  it.each(['', '.', '..'])('refuses the id %j without calling the API', async (id) => {
    const { kw, calls } = client([json(200, APP_KEY)]);

    await expect(kw.keys.revoke(id)).rejects.toThrow('Keywarden id must be a non-empty string');
    expect(calls).toHaveLength(0);
  });

  it('encodes query values and skips undefined ones', async () => {
    const { kw, calls } = client([json(200, { data: [], nextCursor: null })]);

    await kw.keys.list({ appId: 'app 1&x=y', environment: undefined, status: 'active', limit: 50, cursor: 'c/+=' });

    expect(calls[0].url).toBe(`${BASE_URL}/v1/keys?appId=app%201%26x%3Dy&status=active&limit=50&cursor=c%2F%2B%3D`);
  });

  it('sends no query string when every filter is undefined', async () => {
    const { kw, calls } = client([json(200, { data: [], nextCursor: null })]);

    await kw.audit.list({ action: undefined, limit: undefined });

    expect(calls[0].url).toBe(`${BASE_URL}/v1/audit`);
  });

  it('sends the body as JSON with a JSON content type', async () => {
    const { kw, calls } = client([json(200, APP_KEY)]);

    await kw.keys.update('key_1', { description: null, scopes: ['orders.read'] });

    expect(calls[0].headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(calls[0].body!)).toEqual({ description: null, scopes: ['orders.read'] });
  });

  it('sends neither body nor content type for a body-less POST', async () => {
    const { kw, calls } = client([json(200, { ...APP_KEY, status: 'revoked' })]);

    await kw.keys.revoke('key_1');

    expect(calls[0].body).toBeUndefined();
    expect(calls[0].headers).not.toHaveProperty('Content-Type');
  });

  it('releases a lease without a body and returns whether it was still held', async () => {
    const { kw, calls } = client([json(200, { released: false })]);

    await expect(kw.keys.releaseLease('lease_1')).resolves.toEqual({ released: false });
    expect(calls[0].body).toBeUndefined();
  });

  it('addresses a customer by its externalId, encoded into one path segment', async () => {
    const { kw, calls } = client([json(200, { id: 'cus_1' }), json(200, { id: 'cus_1', status: 'suspended' })]);
    await kw.customers.get('acct:42/eu');
    await kw.customers.suspend('acct:42/eu');
    expect(calls.map((call) => [call.method, call.url])).toEqual([
      ['GET', `${BASE_URL}/v1/customers/acct%3A42%2Feu`],
      ['POST', `${BASE_URL}/v1/customers/acct%3A42%2Feu/suspend`],
    ]);
  });

  it('creates a portal session link with a POST of the body', async () => {
    const { kw, calls } = client([json(201, { url: 'https://kw.test/portal#token=t', expiresAt: '2026-01-01T00:05:00.000Z' })]);
    const link = await kw.portal.createSession({ externalId: 'acct-42', permissions: ['keys.read'] });
    expect(link.url).toBe('https://kw.test/portal#token=t');
    expect([calls[0].method, calls[0].url, calls[0].body]).toEqual([
      'POST',
      `${BASE_URL}/v1/portal/sessions`,
      JSON.stringify({ externalId: 'acct-42', permissions: ['keys.read'] }),
    ]);
  });

  it('sends an empty JSON object when rotating without options', async () => {
    const { kw, calls } = client([json(200, { ...APP_KEY, secret: 'kw_live_new' })]);

    await kw.keys.rotate('key_1');

    expect(calls[0].body).toBe('{}');
  });

  it('sends the grace period when rotating with one', async () => {
    const { kw, calls } = client([json(200, { ...APP_KEY, secret: 'kw_live_new' })]);

    await kw.keys.rotate('key_1', { gracePeriodSeconds: 0 });

    expect(JSON.parse(calls[0].body!)).toEqual({ gracePeriodSeconds: 0 });
  });

  it('sends the key and scope to verify', async () => {
    const { kw, calls } = client([json(200, { valid: true, code: 'VALID' })]);

    await kw.verifyKey('kw_live_abc', { scope: 'orders.read' });

    expect(JSON.parse(calls[0].body!)).toEqual({ key: 'kw_live_abc', scope: 'orders.read' });
  });

  it('leaves scope out of the verify body when none is asked', async () => {
    const { kw, calls } = client([json(200, { valid: true, code: 'VALID' })]);

    await kw.verifyKey('kw_live_abc');

    expect(JSON.parse(calls[0].body!)).toEqual({ key: 'kw_live_abc' });
  });
});

const REPORT_ITEM = {
  keyId: 'key_1',
  model: 'gpt-x',
  units: 120,
  cost: 0.0125,
  timestamp: '2026-11-26T10:00:00.000Z',
  requestId: 'r-1',
};

describe('usage', () => {
  it('sends the metering fields of verify along with the key', async () => {
    const { kw, calls } = client([json(200, { valid: true, code: 'VALID' })]);

    await kw.verifyKey('kw_live_abc', { scope: 'orders.read', model: 'gpt-x', units: 3, cost: 0.5, ip: '10.0.0.1', requestId: 'r-9' });

    expect(JSON.parse(calls[0].body!)).toEqual({
      key: 'kw_live_abc',
      scope: 'orders.read',
      model: 'gpt-x',
      units: 3,
      cost: 0.5,
      ip: '10.0.0.1',
      requestId: 'r-9',
    });
  });

  it('reports usage items as {events} with a POST and returns the accepted count', async () => {
    const { kw, calls } = client([json(202, { accepted: 1 })]);

    const answer = await kw.usage.report([REPORT_ITEM]);

    expect(answer).toEqual({ accepted: 1 });
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe(`${BASE_URL}/v1/usage`);
    expect(JSON.parse(calls[0].body!)).toEqual({ events: [REPORT_ITEM] });
  });

  it('queries usage with the filters in the query string', async () => {
    const body = { granularity: 'hour', from: 'a', to: 'b', totals: { requests: 0, units: 0, cost: 0 }, series: [] };
    const { kw, calls } = client([json(200, body)]);

    const answer = await kw.usage.query({
      appId: 'app_1',
      granularity: 'hour',
      from: '2026-11-26T00:00:00Z',
      to: '2026-11-27T00:00:00Z',
      groupBy: 'model',
    });

    expect(answer).toEqual(body);
    expect(calls[0].method).toBe('GET');
    expect(calls[0].url).toBe(
      `${BASE_URL}/v1/usage?appId=app_1&granularity=hour&from=2026-11-26T00%3A00%3A00Z&to=2026-11-27T00%3A00%3A00Z&groupBy=model`,
    );
  });

  it("lists a key's requests and follows the opaque cursor across pages", async () => {
    const { kw, calls } = client([
      json(200, { data: [{ id: 'evt_a' }, { id: 'evt_b' }], nextCursor: 'WyIyMDI2Il0' }),
      json(200, { data: [{ id: 'evt_c' }], nextCursor: null }),
    ]);

    const ids: string[] = [];
    for await (const entry of kw.keys.requestsAll('key_1', { outcome: 'VALID', limit: 2 })) ids.push(entry.id);

    expect(ids).toEqual(['evt_a', 'evt_b', 'evt_c']);
    expect(calls.map((call) => call.url)).toEqual([
      `${BASE_URL}/v1/keys/key_1/requests?outcome=VALID&limit=2`,
      `${BASE_URL}/v1/keys/key_1/requests?outcome=VALID&limit=2&cursor=WyIyMDI2Il0`,
    ]);
  });

  it('encodes the key id of requests', async () => {
    const { kw, calls } = client([json(200, { data: [], nextCursor: null })]);

    await kw.keys.requests('key/../x');

    expect(calls[0].url).toBe(`${BASE_URL}/v1/keys/key%2F..%2Fx/requests`);
  });
});

describe('alerts', () => {
  it('lists alerts with the filters in the query string', async () => {
    const { kw, calls } = client([json(200, { data: [], nextCursor: null })]);

    await kw.alerts.list({ appId: 'app_1', type: 'spike', status: 'open', from: '2026-01-01T00:00:00.000Z' });

    expect(calls[0]).toMatchObject({
      method: 'GET',
      url: `${BASE_URL}/v1/alerts?appId=app_1&type=spike&status=open&from=2026-01-01T00%3A00%3A00.000Z`,
    });
  });

  it.each<[string, (kw: Keywarden) => Promise<unknown>, string, string]>([
    ['get', (kw) => kw.alerts.get('alrt_1'), 'GET', '/v1/alerts/alrt_1'],
    ['acknowledge', (kw) => kw.alerts.acknowledge('alrt_1'), 'POST', '/v1/alerts/alrt_1/acknowledge'],
    ['resolve', (kw) => kw.alerts.resolve('alrt_1'), 'POST', '/v1/alerts/alrt_1/resolve'],
    ['lift', (kw) => kw.alerts.lift('alrt_1'), 'POST', '/v1/alerts/alrt_1/lift'],
  ])('%s sends %s to its route without a body', async (_label, invoke, method, path) => {
    const { kw, calls } = client([json(200, { id: 'alrt_1' })]);

    await invoke(kw);

    expect(calls[0]).toMatchObject({ method, url: `${BASE_URL}${path}`, body: undefined });
  });

  it('follows nextCursor across pages of alerts', async () => {
    const { kw, calls } = client([
      json(200, { data: [{ id: 'alrt_2' }], nextCursor: 'alrt_2' }),
      json(200, { data: [{ id: 'alrt_1' }], nextCursor: null }),
    ]);

    const ids: string[] = [];
    for await (const alert of kw.alerts.listAll({ status: 'open' })) ids.push(alert.id);

    expect(ids).toEqual(['alrt_2', 'alrt_1']);
    expect(calls[1].url).toBe(`${BASE_URL}/v1/alerts?status=open&cursor=alrt_2`);
  });
});

describe('bulk key operations', () => {
  const ANSWER: BulkKeysResponse = { operationId: 'bulk_1', dryRun: false, matched: 2, changed: 2, keyIds: ['key_1', 'key_2'], skipped: {} };

  it('POSTs the request as JSON to /v1/keys/bulk, without an Idempotency-Key unless given, and returns the answer', async () => {
    const { kw, calls } = client([json(200, ANSWER)]);

    const answer = await kw.keys.bulk({ filter: { appId: 'app_1', neverUsed: true }, action: 'revoke' });

    expect(answer).toEqual(ANSWER);
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE_URL}/v1/keys/bulk` });
    expect(JSON.parse(calls[0].body!)).toEqual({ filter: { appId: 'app_1', neverUsed: true }, action: 'revoke' });
    expect(calls[0].headers['Content-Type']).toBe('application/json');
    expect(Object.keys(calls[0].headers).map((name) => name.toLowerCase())).not.toContain('idempotency-key');
  });

  it('sends the idempotency key as the Idempotency-Key header, keeping its own authorization', async () => {
    const { kw, calls } = client([json(200, ANSWER)]);

    await kw.keys.bulk({ filter: { group: 'ci' }, action: 'disable' }, { idempotencyKey: 'cleanup-2026-12-06' });

    expect(calls[0].headers).toMatchObject({ 'Idempotency-Key': 'cleanup-2026-12-06', Authorization: `Bearer ${API_KEY}` });
  });

  it("returns a rotation's new secrets", async () => {
    const rotated: BulkKeysResponse = { ...ANSWER, secrets: { key_1: 'kw_live_new1', key_2: 'kw_live_new2' } };
    const { kw } = client([json(200, rotated)]);

    expect(await kw.keys.bulk({ filter: { ids: ['key_1', 'key_2'] }, action: 'rotate', gracePeriodSeconds: 0 })).toEqual(rotated);
  });
});

describe('leaks', () => {
  it('POSTs the report as JSON to /v1/leaks and returns the answer', async () => {
    const answer: ReportLeakResponse = {
      keyId: 'key_1',
      alertId: 'alrt_1',
      newIncident: true,
      leakResponse: 'revoke',
      action: 'revoked',
      propagation: { confirmed: true, instances: 2, acknowledged: 2 },
    };
    const { kw, calls } = client([json(200, answer)]);

    const result = await kw.leaks.report({ keyId: 'key_1', source: 'pastebin', url: 'https://pastebin.example/x' });

    expect(result).toEqual(answer);
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE_URL}/v1/leaks` });
    expect(JSON.parse(calls[0].body!)).toEqual({ keyId: 'key_1', source: 'pastebin', url: 'https://pastebin.example/x' });
  });

  it('takes exactly one of key and keyId, as the API does (checked by the compiler)', () => {
    const { kw } = client([]);
    const report: typeof kw.leaks.report = () => Promise.reject(new Error('not sent'));
    // @ts-expect-error: both the key and its id
    void report({ key: 'kw_live_x', keyId: 'key_1' }).catch(() => undefined);
    // @ts-expect-error: neither
    void report({ source: 'pastebin' }).catch(() => undefined);
  });
});

describe('alert lift', () => {
  it('returns the alert, still open', async () => {
    const alert = { id: 'alrt_1', status: 'open', type: 'leak' } as Alert;
    const { kw } = client([json(200, alert)]);

    expect(await kw.alerts.lift('alrt_1')).toEqual(alert);
  });
});

describe('admin key revocation', () => {
  const REVOKED = { id: 'akey_1', status: 'revoked' } as AdminKeyRevocation;

  it('DELETEs the admin key without a query or body when no cascade is asked', async () => {
    const { kw, calls } = client([json(200, REVOKED)]);

    expect(await kw.adminKeys.revoke('akey_1')).toEqual(REVOKED);
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: `${BASE_URL}/v1/admin-keys/akey_1`, body: undefined });
  });

  it.each(['revoke', 'disable'] as const)('passes cascade=%s in the query and returns the cascade', async (cascade) => {
    const answer: AdminKeyRevocation = { ...REVOKED, cascade: { action: cascade, operationId: 'bulk_1', matched: 3, changed: 2 } };
    const { kw, calls } = client([json(200, answer)]);

    expect(await kw.adminKeys.revoke('akey_1', { cascade })).toEqual(answer);
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: `${BASE_URL}/v1/admin-keys/akey_1?cascade=${cascade}`, body: undefined });
  });
});

describe('responses', () => {
  it('returns the parsed body of a 201, secret included', async () => {
    const created = { ...APP_KEY, secret: 'kw_live_fullsecret' };
    const { kw } = client([json(201, created)]);

    await expect(
      kw.keys.create({ appId: 'app_1', name: 'checkout', environment: 'live', scopes: ['orders.read'] }),
    ).resolves.toEqual(created);
  });

  it('resolves undefined for a 204 without body', async () => {
    const { kw } = client([new Response(null, { status: 204 })]);

    await expect(kw.apps.delete('app_1')).resolves.toBeUndefined();
  });

  it('resolves an invalid key as a 200 answer, not an error', async () => {
    const { kw } = client([json(200, { valid: false, code: 'KEY_REVOKED', keyId: 'key_1' })]);

    await expect(kw.verifyKey('kw_live_revoked')).resolves.toEqual({ valid: false, code: 'KEY_REVOKED', keyId: 'key_1' });
  });

  it('turns an error envelope into a KeywardenError with its fields', async () => {
    const { kw } = client([
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Request validation failed',
          requestId: 'req_42',
          details: [{ field: 'scopes.0', message: 'Unknown scope' }],
        },
      }),
    ]);

    const error = await failure(kw.keys.create({ appId: 'app_1', name: 'k', environment: 'live', scopes: ['nope'] }));

    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      message: 'Request validation failed',
      requestId: 'req_42',
      details: [{ field: 'scopes.0', message: 'Unknown scope' }],
    });
  });

  it('turns a non-JSON error page into INTERNAL_ERROR with the real status', async () => {
    const { kw } = client([new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })], {
      retries: 0,
    });

    const error = await failure(kw.apps.list());

    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', status: 502, requestId: null });
  });

  it('rejects a success answer whose body is not JSON', async () => {
    const { kw } = client([new Response('<html>captive portal</html>', { status: 200 })]);

    const error = await failure(kw.me());

    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', status: 200 });
  });

  it('reports a refused connection as NETWORK_ERROR with status 0', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { kw } = client([refused], { retries: 0 });

    const error = await failure(kw.me());

    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0, requestId: null });
    expect(error.message).toBe('Could not reach Keywarden for GET /v1/me: fetch failed (ECONNREFUSED)');
  });
});

describe('timeouts', () => {
  const hang = (signal: AbortSignal) =>
    new Promise<Response>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
    });

  it('aborts a request that outlives timeoutMs with a TIMEOUT error', async () => {
    const { kw } = client([hang], { timeoutMs: 1_000, retries: 0 });

    const error = await failure(kw.me());

    expect(error).toMatchObject({ code: 'TIMEOUT', status: 0, requestId: null });
    expect(error.message).toBe('Keywarden did not answer GET /v1/me within 1000 ms');
  });

  it('does not abort before timeoutMs has passed', async () => {
    let aborted = false;
    const { kw } = client(
      [
        (signal) => {
          signal.addEventListener('abort', () => (aborted = true));
          return new Promise<Response>(() => undefined);
        },
      ],
      { timeoutMs: 1_000, retries: 0 },
    );

    void kw.me().catch(() => undefined);
    await jest.advanceTimersByTimeAsync(999);

    expect(aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(aborted).toBe(true);
  });

  it('retries a GET that timed out', async () => {
    const { kw, calls } = client([hang, json(200, { keyId: 'akey_1' })], { timeoutMs: 1_000 });

    const { value } = await settle(kw.me());

    expect(calls).toHaveLength(2);
    expect(value).toEqual({ keyId: 'akey_1' });
  });
});

describe('retries', () => {
  const unavailable = () => envelope(503, 'SERVICE_UNAVAILABLE', 'Service unavailable');

  it.each<[string, (kw: Keywarden) => Promise<unknown>]>([
    ['GET', (kw) => kw.apps.list()],
    ['verify (Keywarden answered 503: nothing was admitted)', (kw) => kw.verifyKey('kw_live_abc')],
    ['usage.report (idempotent by requestId)', (kw) => kw.usage.report([REPORT_ITEM])],
    ['alerts.acknowledge (idempotent)', (kw) => kw.alerts.acknowledge('alrt_1')],
    ['alerts.resolve (idempotent)', (kw) => kw.alerts.resolve('alrt_1')],
    ['keys.releaseLease (releasing twice frees one slot)', (kw) => kw.keys.releaseLease('lease_1')],
    ['alerts.lift (idempotent)', (kw) => kw.alerts.lift('alrt_1')],
    [
      'keys.bulk with an idempotency key (a repeat gets the first answer)',
      (kw) => kw.keys.bulk({ filter: { group: 'ci' }, action: 'revoke' }, { idempotencyKey: 'op-1' }),
    ],
    ['keys.bulk as a dry run (changes nothing)', (kw) => kw.keys.bulk({ filter: { group: 'ci' }, action: 'revoke', dryRun: true })],
  ])('retries %s on 503 and returns the later success', async (_label, invoke) => {
    const { kw, calls } = client([unavailable(), json(200, { valid: true, code: 'VALID' })]);

    const { error } = await settle(invoke(kw));

    expect(error).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it.each<[string, (kw: Keywarden) => Promise<unknown>]>([
    ['apps.create', (kw) => kw.apps.create({ name: 'shop' })],
    ['adminKeys.create', (kw) => kw.adminKeys.create({ name: 'ci', role: 'viewer' })],
    ['keys.create', (kw) => kw.keys.create({ appId: 'app_1', name: 'k', environment: 'live', scopes: ['read'] })],
    ['keys.rotate', (kw) => kw.keys.rotate('key_1')],
    ['keys.revoke', (kw) => kw.keys.revoke('key_1')],
    ['keys.update (PATCH)', (kw) => kw.keys.update('key_1', { name: 'k2' })],
    ['apps.delete (a lost answer would make the retry a 404)', (kw) => kw.apps.delete('app_1')],
    ['adminKeys.revoke (DELETE)', (kw) => kw.adminKeys.revoke('akey_1')],
    ['adminKeys.revoke with a cascade (DELETE)', (kw) => kw.adminKeys.revoke('akey_1', { cascade: 'revoke' })],
    ['keys.bulk without an idempotency key', (kw) => kw.keys.bulk({ filter: { group: 'ci' }, action: 'revoke' })],
    [
      'keys.bulk rotate, even with an idempotency key (the replayed answer has no secrets)',
      (kw) => kw.keys.bulk({ filter: { group: 'ci' }, action: 'rotate' }, { idempotencyKey: 'op-2' }),
    ],
    ['leaks.report (a repeat adds a report)', (kw) => kw.leaks.report({ keyId: 'key_1' })],
  ])('does not retry %s on 503', async (_label, invoke) => {
    const { kw, calls } = client([unavailable(), json(200, {})]);

    const error = await failure(invoke(kw));

    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(calls).toHaveLength(1);
  });

  it('retries a verify whose connection was refused (it never reached Keywarden)', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const { kw, calls } = client([refused, json(200, { valid: true, code: 'VALID' })]);

    const { value } = await settle(kw.verifyKey('kw_live_abc'));

    expect(value).toEqual({ valid: true, code: 'VALID' });
    expect(calls).toHaveLength(2);
  });

  it.each<[string, Response | Error]>([
    ['a connection lost after sending (the verify may have been admitted and metered)', new TypeError('fetch failed')],
    ["a proxy's 502 (Keywarden may have answered behind it)", new Response('<html>Bad Gateway</html>', { status: 502 })],
    ['a 500', envelope(500, 'INTERNAL_ERROR', 'boom')],
  ])('does not retry a verify after %s', async (_label, failed) => {
    const { kw, calls } = client([failed, json(200, { valid: true, code: 'VALID' })]);

    await failure(kw.verifyKey('kw_live_abc'));

    expect(calls).toHaveLength(1);
  });

  it('does not retry a create after a network error, since it may have gone through', async () => {
    const { kw, calls } = client([new TypeError('fetch failed'), json(201, { ...APP_KEY, secret: 'kw_live_x' })]);

    const error = await failure(kw.keys.create({ appId: 'app_1', name: 'k', environment: 'live', scopes: ['read'] }));

    expect(error.code).toBe('NETWORK_ERROR');
    expect(calls).toHaveLength(1);
  });

  it.each([400, 401, 404, 409, 429])('does not retry a GET answered %i', async (status) => {
    const { kw, calls } = client([json(status, { error: { code: 'NOT_FOUND', message: 'x', requestId: 'r' } }), json(200, {})]);

    const error = await failure(kw.apps.get('app_1'));

    expect(error.status).toBe(status);
    expect(calls).toHaveLength(1);
  });

  it('gives up after 1 + retries attempts and throws the last error', async () => {
    const { kw, calls } = client([unavailable(), unavailable(), envelope(500, 'INTERNAL_ERROR', 'boom', 'req_last')]);

    const error = await failure(kw.apps.list());

    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', status: 500, requestId: 'req_last' });
  });

  it('retries a network error on GET', async () => {
    const { kw, calls } = client([new TypeError('fetch failed'), json(200, { keyId: 'akey_1' })]);

    const { value } = await settle(kw.me());

    expect(calls).toHaveLength(2);
    expect(value).toEqual({ keyId: 'akey_1' });
  });

  it('waits an exponentially growing delay between attempts', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { kw, calls } = client([unavailable(), unavailable(), json(200, {})]);

    const done = kw.me();
    await jest.advanceTimersByTimeAsync(124);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1); // first backoff: 125 ms
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1); // second backoff: 250 ms
    expect(calls).toHaveLength(3);
    await done;
  });

  it('never retries when retries is 0', async () => {
    const { kw, calls } = client([unavailable(), json(200, {})], { retries: 0 });

    await failure(kw.apps.list());

    expect(calls).toHaveLength(1);
  });
});

describe('listAll', () => {
  function page<T>(data: T[], nextCursor: string | null): Response {
    const body: Page<T> = { data, nextCursor };
    return json(200, body);
  }

  it('follows nextCursor until it is null, keeping the filters', async () => {
    const { kw, calls } = client([
      page([{ id: 'key_a' }, { id: 'key_b' }], 'cur_1'),
      page([{ id: 'key_c' }], 'cur_2'),
      page([{ id: 'key_d' }], null),
    ]);

    const ids: string[] = [];
    for await (const key of kw.keys.listAll({ appId: 'app_1', limit: 2 })) ids.push(key.id);

    expect(ids).toEqual(['key_a', 'key_b', 'key_c', 'key_d']);
    expect(calls.map((call) => call.url)).toEqual([
      `${BASE_URL}/v1/keys?appId=app_1&limit=2`,
      `${BASE_URL}/v1/keys?appId=app_1&limit=2&cursor=cur_1`,
      `${BASE_URL}/v1/keys?appId=app_1&limit=2&cursor=cur_2`,
    ]);
  });

  it('fetches no further page once the caller stops iterating', async () => {
    const { kw, calls } = client([page([{ id: 'app_a' }, { id: 'app_b' }], 'cur_1'), page([{ id: 'app_c' }], null)]);

    for await (const app of kw.apps.listAll()) {
      expect(app.id).toBe('app_a');
      break;
    }

    expect(calls).toHaveLength(1);
  });

  it('resumes from a cursor given in the query', async () => {
    const { kw, calls } = client([page([{ id: 'aud_z' }], null)]);

    const entries = [];
    for await (const entry of kw.audit.listAll({ cursor: 'cur_9' })) entries.push(entry);

    expect(entries).toHaveLength(1);
    expect(calls[0].url).toBe(`${BASE_URL}/v1/audit?cursor=cur_9`);
  });

  it('stops with an error when the server answers the same nextCursor again, instead of following it forever', async () => {
    const { kw, calls } = client([page([{ id: 'key_a' }], 'cur_1'), page([{ id: 'key_b' }], 'cur_1')]);

    const ids: string[] = [];
    await expect(
      (async () => {
        for await (const key of kw.keys.listAll()) ids.push(key.id);
      })(),
    ).rejects.toThrow('Keywarden: the server answered the same nextCursor again; listing stopped');
    expect(ids).toEqual(['key_a', 'key_b']);
    expect(calls).toHaveLength(2);
  });

  it('lists admin keys across pages too', async () => {
    const { kw, calls } = client([page([{ id: 'akey_a' }], 'cur_1'), page([{ id: 'akey_b' }], null)]);

    const ids: string[] = [];
    for await (const adminKey of kw.adminKeys.listAll()) ids.push(adminKey.id);

    expect(ids).toEqual(['akey_a', 'akey_b']);
    expect(calls[1].url).toBe(`${BASE_URL}/v1/admin-keys?cursor=cur_1`);
  });
});

describe('the api key never leaks into errors', () => {
  const VERIFIED = 'kw_live_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0';
  const scenarios: Array<[string, Step, (kw: Keywarden) => Promise<unknown>]> = [
    ['an error message that echoes it', envelope(401, 'UNAUTHORIZED', `Invalid API key ${API_KEY}`), (kw) => kw.me()],
    [
      'field details that echo it',
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Request validation failed',
          requestId: 'r',
          details: [{ field: 'authorization', message: `Bearer ${API_KEY} is malformed` }],
        },
      }),
      (kw) => kw.apps.create({ name: 'x' }),
    ],
    ['a network error that mentions it', new TypeError(`fetch failed with Bearer ${API_KEY}`), (kw) => kw.me()],
    ['a non-JSON error page that contains it', new Response(`<pre>${API_KEY}</pre>`, { status: 502 }), (kw) => kw.me()],
    [
      'a timeout',
      (signal) => new Promise<Response>((_r, reject) => signal.addEventListener('abort', () => reject(new Error(API_KEY)))),
      (kw) => kw.me(),
    ],
    [
      'a verify error that echoes the verified key',
      envelope(400, 'VALIDATION_FAILED', `bad key ${VERIFIED} for ${API_KEY}`),
      (kw) => kw.verifyKey(VERIFIED),
    ],
    [
      'a leak report error that echoes the reported key',
      envelope(400, 'VALIDATION_FAILED', `unknown key ${VERIFIED}`),
      (kw) => kw.leaks.report({ key: VERIFIED, source: 'slack' }),
    ],
  ];

  it.each(scenarios)('%s', async (_label, step, invoke) => {
    const { kw } = client([step], { retries: 0, timeoutMs: 50 });

    const error = await failure(invoke(kw));

    for (const secret of [API_KEY, VERIFIED]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
      expect(inspect(error, { depth: 5 })).not.toContain(secret);
    }
  });
});
