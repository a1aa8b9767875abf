import { type App, type AppKey, type CreateKeyRequest, generateKey, type Keywarden, type WithSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  freePort,
  type RawResponse,
  rawRequest,
  registerSecret,
  startApi,
  uniqueName,
} from './harness';
import { Holds, PROTECTED_APPS, type ProtectedApp } from './middleware-apps';

/**
 * The SDK middleware in real Express, Fastify and NestJS apps, verifying through a real
 * API (PostgreSQL + Redis) with an admin key that holds only `keys.verify`.
 */

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

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
