import type { App, Keywarden } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectErrorEnvelope,
  rawRequest,
  type RawResponse,
  startApi,
  startTcpProxy,
  type TcpProxy,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * PostgreSQL goes away (the API reaches it through a proxy the test cuts): verifies the
 * cache cannot answer and admin calls get 503 SERVICE_UNAVAILABLE with Retry-After, never
 * a 500; a cached key keeps verifying; once the database is back, everything answers.
 */

let proxy: TcpProxy;
let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

beforeAll(async () => {
  proxy = await startTcpProxy(process.env.DATABASE_URL as string);
  // Long enough that the admin key and a verified key stay cached through the outage.
  api = await startApi({ DATABASE_URL: proxy.url, KW_KEY_CACHE_TTL_MS: '120000' });
  workspace = await bootstrapWorkspace('db-outage');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] });
}, 120_000);

afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await api?.stop();
  await proxy?.close();
});

function expectUnavailable(response: RawResponse): void {
  expectErrorEnvelope(response, { status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

it('answers 503 with Retry-After while PostgreSQL is down, and recovers once it is back', async () => {
  const cached = await owner.keys.create({ appId: app.id, name: 'cached', environment: 'live', scopes: ['generation.create'] });
  const uncached = await owner.keys.create({ appId: app.id, name: 'uncached', environment: 'live', scopes: ['generation.create'] });
  expect((await owner.verifyKey(cached.secret)).code).toBe('VALID');

  await proxy.cut();
  const verifyUncached = await rawRequest(api.baseUrl, '/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify({ key: uncached.secret }) });
  expectUnavailable(verifyUncached);
  expect(verifyUncached.text).not.toContain(uncached.secret);
  expectUnavailable(await rawRequest(api.baseUrl, '/v1/apps', { apiKey: workspace.secret }));
  expectUnavailable(await rawRequest(api.baseUrl, `/v1/keys/${cached.id}`, { apiKey: workspace.secret }));
  expectUnavailable(
    await rawRequest(api.baseUrl, '/v1/keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ appId: app.id, name: 'during', environment: 'live', scopes: ['generation.create'] }),
    }),
  );
  // What the credential cache holds still verifies.
  expect((await owner.verifyKey(cached.secret)).code).toBe('VALID');
  expect(api.readLog()).not.toMatch(/"unhandled error"/);

  await proxy.restore();
  await eventually(async () => expect((await owner.verifyKey(uncached.secret)).code).toBe('VALID'), { timeoutMs: 15_000, intervalMs: 200 });
  expect((await owner.apps.get(app.id)).id).toBe(app.id);
}, 60_000);

describe('PostgreSQL stalled (connections open, nothing coming back)', () => {
  let stalledApi: ApiProcess;

  beforeAll(async () => {
    stalledApi = await startApi({ DATABASE_URL: proxy.url, KW_KEY_CACHE_TTL_MS: '120000', KW_REQUEST_DEADLINE_MS: '2000' });
  }, 60_000);

  afterAll(async () => {
    proxy.unstall();
    await stalledApi?.stop();
  });

  it('answers 503 with Retry-After at the deadline instead of hanging, and recovers once it answers again', async () => {
    const viaStalled = client(stalledApi.baseUrl, workspace.secret);
    const uncached = await owner.keys.create({ appId: app.id, name: 'stalled', environment: 'live', scopes: ['generation.create'] });
    expect((await viaStalled.apps.get(app.id)).id).toBe(app.id);

    proxy.stall();
    expectUnavailable(await rawRequest(stalledApi.baseUrl, '/v1/apps', { apiKey: workspace.secret }));
    expectUnavailable(await rawRequest(stalledApi.baseUrl, '/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify({ key: uncached.secret }) }));
    expect(stalledApi.readLog()).not.toMatch(/"unhandled error"/);

    proxy.unstall();
    await eventually(async () => expect((await viaStalled.verifyKey(uncached.secret)).code).toBe('VALID'), { timeoutMs: 15_000, intervalMs: 200 });
  }, 60_000);
});
