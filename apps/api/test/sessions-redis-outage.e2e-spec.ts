import type { Keywarden } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  expectErrorEnvelope,
  type OwnRedis,
  rawRequest,
  startApi,
  startOwnRedis,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Browser sessions live in Redis alone. While it is out of reach, signing in and every
 * request that rides a session answer 503 with Retry-After (the service, not the request,
 * is at fault), never 500; keys keep working, and revoking an admin key still stands.
 * Uses a Redis of its own, so the shared one is never stopped.
 */

let redis: OwnRedis;
let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
/** A console session's cookie, opened while Redis was up. */
let cookie: string;
/** A portal session's cookie, opened while Redis was up. */
let portalCookie: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  api = await startApi({ REDIS_URL: redis.url });
  workspace = await bootstrapWorkspace('sessions-outage');
  owner = client(api.baseUrl, workspace.secret);
  const signedIn = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: workspace.secret }) });
  expect(signedIn.status).toBe(201);
  cookie = /^([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const customer = await owner.customers.create({ externalId: uniqueName('outage-customer') });
  const link = await owner.portal.createSession({ customerId: customer.id, permissions: ['keys.read'] });
  const exchanged = await rawRequest(api.baseUrl, '/v1/portal/exchange', { body: JSON.stringify({ token: link.url.split('#token=')[1] }) });
  expect(exchanged.status).toBe(204);
  portalCookie = /^([^;]+)/.exec(exchanged.headers.get('set-cookie') ?? '')?.[1] ?? '';
  await redis.stop();
}, 60_000);

afterAll(async () => {
  if (!redis) return;
  // Redis must be up for the API's own graceful shutdown.
  await redis.start();
  await api?.stop();
  await redis.remove();
});

const SESSIONS_UNAVAILABLE = { status: 503, code: 'SERVICE_UNAVAILABLE', message: /Sessions are unavailable/ } as const;

describe('while Redis is out of reach', () => {
  it('a request on a console session answers 503 with Retry-After', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys?limit=1', { headers: { cookie } });
    expectErrorEnvelope(response, SESSIONS_UNAVAILABLE);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('signing in answers 503', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: workspace.secret }) });
    expectErrorEnvelope(response, SESSIONS_UNAVAILABLE);
  });

  it.each([
    ['the console', '/v1/console/sessions/current', () => cookie],
    ['the portal', '/v1/portal/sessions/current', () => portalCookie],
  ])('signing out of %s answers 503 and keeps the cookie: whether the session has ended cannot be known', async (_name, path, cookieOf) => {
    const response = await rawRequest(api.baseUrl, path, { method: 'DELETE', headers: { cookie: cookieOf() } });
    expectErrorEnvelope(response, SESSIONS_UNAVAILABLE);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('a request with a key is answered as usual', async () => {
    expect((await owner.apps.list()).data).toEqual(expect.any(Array));
  });

  it('revoking an admin key stands, though its sessions cannot be ended in Redis', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'viewer' });
    expect((await owner.adminKeys.revoke(member.id)).status).toBe('revoked');
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/me', { apiKey: member.secret }), {
      status: 401,
      code: 'KEY_REVOKED',
      message: 'API key has been revoked',
    });
  });
});
