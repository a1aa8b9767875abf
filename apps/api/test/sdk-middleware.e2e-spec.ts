import { generateKey } from '@keywarden/core';
import type { App, AppKey, CreateKeyRequest, Keywarden, WithSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  freePort,
  type RawResponse,
  rawRequest,
  registerSecret,
  startApi,
  uniqueName,
} from './harness';
import { Holds, PROTECTED_APPS, type ProtectedApp } from './middleware-apps';
import { awayFromWindowEdge } from './policy/helpers';

/**
 * The SDK middleware in real Express, Fastify and NestJS apps, verifying through a real
 * API (PostgreSQL + Redis) with an admin key that holds only `keys.verify`.
 */

const REQUEST_ID = /^req_[0-9a-z]{26}$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// Well below the API's default lease TTL (60 s): a slot that frees within it was released.
const RELEASE_TIMEOUT_MS = 5_000;

let api: ApiProcess;
let owner: Keywarden;
let verifier: Keywarden;
let app: App;

beforeAll(async () => {
  api = await startApi();
  const workspace = await bootstrapWorkspace('sdk-middleware');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('shop'), scopeCatalog: ['orders.read', 'orders.write'] });
  const verifierKey = await owner.adminKeys.create({ name: uniqueName('middleware'), scopes: ['keys.verify'] });
  verifier = client(api.baseUrl, verifierKey.secret);
});

afterAll(async () => {
  await api?.stop();
});

function newKey(overrides: Partial<CreateKeyRequest> = {}): Promise<AppKey & WithSecret> {
  return owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes: ['orders.read'], ...overrides });
}

function rateLimitHeaders(response: RawResponse) {
  return {
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    reset: response.headers.get('x-ratelimit-reset'),
  };
}

/** Seconds from now until `atMs`. */
function secondsUntil(atMs: number): number {
  return (atMs - Date.now()) / 1000;
}

/** The envelope the middleware answers with, and never the presented key. */
function expectRefusal(response: RawResponse, presented: string, expected: { status: number; code: string; message: string }): void {
  expect({ status: response.status, body: response.json }).toEqual({
    status: expected.status,
    body: { error: { code: expected.code, message: expected.message, requestId: expect.stringMatching(REQUEST_ID) } },
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.text).not.toContain(presented);
  for (const [, value] of response.headers) expect(value).not.toContain(presented);
}

describe.each(PROTECTED_APPS)('%s protected by the SDK middleware', (_framework, createApp) => {
  const holds = new Holds();
  let protectedApp: ProtectedApp;

  beforeAll(async () => {
    protectedApp = await createApp({ client: verifier }, holds);
  });

  afterAll(async () => {
    holds.releaseAll();
    await protectedApp?.close();
  });

  it('passes a valid key to the handler with the key identity attached', async () => {
    const key = await newKey({ scopes: ['orders.read', 'orders.write'] });

    const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

    expect({ status: response.status, body: response.json }).toEqual({
      status: 200,
      body: {
        identity: {
          keyId: key.id,
          appId: app.id,
          env: 'live',
          scopes: ['orders.read', 'orders.write'],
          expiresAt: null,
          requestId: expect.stringMatching(REQUEST_ID),
        },
      },
    });
  });

  it('accepts the key in X-API-Key and with a lowercase bearer scheme', async () => {
    const key = await newKey();

    const viaHeader = await rawRequest(protectedApp.url, '/orders', { headers: { 'x-api-key': key.secret } });
    const viaLowercase = await rawRequest(protectedApp.url, '/orders', { headers: { authorization: `bearer ${key.secret}` } });

    expect([viaHeader.status, viaLowercase.status]).toEqual([200, 200]);
  });

  it('checks the scope chosen per request: a read-only key may not POST', async () => {
    const key = await newKey({ scopes: ['orders.read'] });

    const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret, body: '{}' });

    expectRefusal(response, key.secret, {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'API key lacks the required scope: orders.write',
    });
  });

  it('refuses a request without key: 401 "API key required"', async () => {
    const response = await rawRequest(protectedApp.url, '/orders');

    expectRefusal(response, 'kw_', { status: 401, code: 'UNAUTHORIZED', message: 'API key required' });
  });

  it('refuses a key that was never issued: 401 "Invalid API key"', async () => {
    const { key } = generateKey('kw', 'live');
    registerSecret(key);

    const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key });

    expectRefusal(response, key, { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
  });

  it('refuses a revoked key: 401 KEY_REVOKED', async () => {
    const key = await newKey();
    await owner.keys.revoke(key.id);

    const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

    expectRefusal(response, key.secret, { status: 401, code: 'KEY_REVOKED', message: 'API key has been revoked' });
  });

  it('refuses a disabled key: 401 KEY_DISABLED', async () => {
    const key = await newKey();
    await owner.keys.disable(key.id);

    const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

    expectRefusal(response, key.secret, { status: 401, code: 'KEY_DISABLED', message: 'API key is disabled' });
  });

  describe('with key policies', () => {
    it('sets the rate-limit headers on a request that passes and attaches the rate limit to the identity', async () => {
      await awayFromWindowEdge(HOUR_MS, 10_000);
      const key = await newKey({ policy: { rateLimits: { perHour: 5 } } });

      const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

      expect(response.status).toBe(200);
      const headers = rateLimitHeaders(response);
      expect(headers).toEqual({ limit: '5', remaining: '4', reset: expect.stringMatching(/^\d+$/) });
      const reset = Number(headers.reset);
      expect(secondsUntil(reset * 1000)).toBeGreaterThan(0);
      expect(secondsUntil(reset * 1000)).toBeLessThanOrEqual(3600);
      expect((response.json as { identity: { ratelimit: unknown } }).identity.ratelimit).toEqual({ limit: 5, remaining: 4, reset });
    });

    it('refuses past the limit: 429 RATE_LIMITED with Retry-After until the window resets', async () => {
      await awayFromWindowEdge(HOUR_MS, 10_000);
      const key = await newKey({ policy: { rateLimits: { perHour: 1 } } });
      expect((await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret })).status).toBe(200);

      const refused = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

      expectRefusal(refused, key.secret, { status: 429, code: 'RATE_LIMITED', message: 'Rate limit exceeded' });
      const headers = rateLimitHeaders(refused);
      expect(headers).toMatchObject({ limit: '1', remaining: '0' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Math.abs(retryAfter - secondsUntil(Number(headers.reset) * 1000))).toBeLessThanOrEqual(2);
    });

    it('refuses a model outside the allowlist: 403 MODEL_NOT_ALLOWED', async () => {
      const key = await newKey({ policy: { allowedModels: ['gpt-4o*'] } });

      const allowed = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret, headers: { 'x-model': 'gpt-4o-mini' } });
      const refused = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret, headers: { 'x-model': 'claude-3' } });

      expect(allowed.status).toBe(200);
      expectRefusal(refused, key.secret, { status: 403, code: 'MODEL_NOT_ALLOWED', message: 'Model is not allowed for this key' });
    });

    it("checks the IP allowlist against the client IP the framework determined, not the middleware's", async () => {
      const key = await newKey({ policy: { ipAllowlist: ['10.0.0.0/8'] } });

      const viaProxy = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret, headers: { 'x-forwarded-for': '10.1.2.3' } });
      const direct = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });

      expect(viaProxy.status).toBe(200);
      expectRefusal(direct, key.secret, {
        status: 403,
        code: 'IP_NOT_ALLOWED',
        message: 'Client IP address is not allowed for this key',
      });
    });

    it('refuses once the daily spend cap is reached: 429 USAGE_EXCEEDED with Retry-After until UTC midnight', async () => {
      const key = await newKey({ policy: { dailySpendLimit: 1 } });
      expect((await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret, headers: { 'x-cost': '2.5' } })).status).toBe(200);

      const refused = await eventually(
        async () => {
          const response = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });
          expect(response.status).toBe(429);
          return response;
        },
        { timeoutMs: 5_000 },
      );

      expectRefusal(refused, key.secret, { status: 429, code: 'USAGE_EXCEEDED', message: 'Usage limit exceeded' });
      const nextUtcMidnight = (Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS;
      expect(Math.abs(Number(refused.headers.get('retry-after')) - secondsUntil(nextUtcMidnight))).toBeLessThanOrEqual(2);
    });

    it('holds the only concurrency slot while a request runs and releases it when the response finishes', async () => {
      const key = await newKey({ policy: { concurrency: 1 } });
      const first = rawRequest(protectedApp.url, '/hold', { apiKey: key.secret });
      await eventually(async () => expect(holds.waiting).toBe(1), { timeoutMs: 5_000 });

      const whileHeld = await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret });
      holds.releaseAll();
      const finished = await first;

      expectRefusal(whileHeld, key.secret, { status: 429, code: 'RATE_LIMITED', message: 'Rate limit exceeded' });
      expect(whileHeld.headers.get('retry-after')).toBe('1');
      expect(finished.status).toBe(200);
      await eventually(async () => expect((await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret })).status).toBe(200), {
        timeoutMs: RELEASE_TIMEOUT_MS,
      });
    });

    it('releases the concurrency slot when the client disconnects before the answer', async () => {
      const key = await newKey({ policy: { concurrency: 1 } });
      const abort = new AbortController();
      const abandoned = fetch(`${protectedApp.url}/hold`, { headers: { authorization: `Bearer ${key.secret}` }, signal: abort.signal });
      await eventually(async () => expect(holds.waiting).toBe(1), { timeoutMs: 5_000 });
      expect((await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret })).status).toBe(429);

      abort.abort();
      await expect(abandoned).rejects.toThrow();

      await eventually(async () => expect((await rawRequest(protectedApp.url, '/orders', { apiKey: key.secret })).status).toBe(200), {
        timeoutMs: RELEASE_TIMEOUT_MS,
      });
      holds.releaseAll();
    });
  });
});

describe.each(PROTECTED_APPS)('%s when Keywarden cannot be reached', (_framework, createApp) => {
  let unreachable: Keywarden;
  const apps: ProtectedApp[] = [];

  beforeAll(async () => {
    unreachable = client(`http://127.0.0.1:${await freePort()}`, 'kw_admin_unreachableMiddlewareKey000000000');
  });

  afterAll(async () => {
    await Promise.all(apps.map((started) => started.close()));
  });

  it('fails closed: 503 SERVICE_UNAVAILABLE', async () => {
    const started = await createApp({ client: unreachable }, new Holds());
    apps.push(started);
    const key = await newKey();

    const response = await rawRequest(started.url, '/orders', { apiKey: key.secret });

    expectRefusal(response, key.secret, { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'API key verification is unavailable' });
  });

  it('with failOpen, lets the request through without identity', async () => {
    const started = await createApp({ client: unreachable, failOpen: true }, new Holds());
    apps.push(started);
    const key = await newKey();

    const response = await rawRequest(started.url, '/orders', { apiKey: key.secret });

    expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { identity: null } });
  });
});
