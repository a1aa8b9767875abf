import { type ApiProcess, bootstrapWorkspace, client, expectErrorEnvelope, type RawResponse, rawRequest, startApi, uniqueName, type Workspace } from './harness';

/**
 * Most verifies are answered by the fast path in front of Fastify; the rest (here: a query
 * string, `/v1/keys/verify?`) by the Fastify route. Both must give one answer: the same
 * status, body and headers, the same caller checks, the same address behind proxies.
 */

const FAST = '/v1/keys/verify';
/** The same route, but not the fast path's shape: Fastify routes it. */
const ROUTED = '/v1/keys/verify?';
/** Headers that differ between any two answers. */
const PER_ANSWER = new Set(['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'keep-alive', 'connection']);

let api: ApiProcess;
let workspace: Workspace;
let appKey: string;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('verify-fast-path');
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('fast'), scopeCatalog: ['orders.read'] });
  appKey = (await owner.keys.create({ appId: app.id, name: 'k', environment: 'live', scopes: ['orders.read'] })).secret;
});

afterAll(async () => {
  await api?.stop();
});

/** What must be equal in two answers: status, headers but the per-answer ones, the body without its request id. */
function comparable(response: RawResponse): unknown {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !PER_ANSWER.has(name)));
  const body = response.json as { error?: { requestId?: string } } | undefined;
  if (body?.error) {
    expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
    delete body.error.requestId;
  }
  return { status: response.status, headers, body };
}

const cases: Array<[string, () => { apiKey?: string; body: string }]> = [
  ['an admitted key', () => ({ apiKey: workspace.secret, body: JSON.stringify({ key: appKey, scope: 'orders.read' }) })],
  ['a key outside the scope asked', () => ({ apiKey: workspace.secret, body: JSON.stringify({ key: appKey, scope: 'orders.write' }) })],
  ['an unknown key', () => ({ apiKey: workspace.secret, body: JSON.stringify({ key: 'kw_live_nothing' }) })],
  ['a field the schema does not have', () => ({ apiKey: workspace.secret, body: JSON.stringify({ key: appKey, extra: 1 }) })],
  ['a body that is no object', () => ({ apiKey: workspace.secret, body: 'null' })],
  ['malformed JSON', () => ({ apiKey: workspace.secret, body: '{"key":' })],
  ['a prototype-poisoning body', () => ({ apiKey: workspace.secret, body: '{"key":"k","__proto__":{"x":1}}' })],
  ['a NUL in a field', () => ({ apiKey: workspace.secret, body: JSON.stringify({ key: appKey, model: 'a\u0000' }) })],
  ['no credential', () => ({ body: JSON.stringify({ key: appKey }) })],
  ['an unknown caller key', () => ({ apiKey: 'kw_admin_nothing', body: JSON.stringify({ key: appKey }) })],
];

it.each(cases)('%s: the fast path answers as the Fastify route does', async (_case, request) => {
  const { apiKey, body } = request();
  const fast = await rawRequest(api.baseUrl, FAST, { apiKey, body });
  const routed = await rawRequest(api.baseUrl, ROUTED, { apiKey, body });
  expect(comparable(fast)).toEqual(comparable(routed));
});

it('refuses a caller without keys.verify on both paths with the same 403', async () => {
  const viewer = (await client(api.baseUrl, workspace.secret).adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' })).secret;
  const body = JSON.stringify({ key: appKey });
  const fast = await rawRequest(api.baseUrl, FAST, { apiKey: viewer, body });
  expectErrorEnvelope(fast, { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: 'API key lacks the required scope: keys.verify' });
  expect(comparable(fast)).toEqual(comparable(await rawRequest(api.baseUrl, ROUTED, { apiKey: viewer, body })));
});

it('answers what Fastify answers for the shapes it leaves to it: a chunked body, another content type, a body over the limit', async () => {
  const chunked = await fetch(`${api.baseUrl}${FAST}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${workspace.secret}`, 'content-type': 'application/json' },
    body: new Blob([JSON.stringify({ key: appKey })]).stream(),
    duplex: 'half',
  } as RequestInit);
  expect({ status: chunked.status, body: await chunked.json() }).toMatchObject({ status: 200, body: { valid: true, code: 'VALID' } });
  const text = await rawRequest(api.baseUrl, FAST, { apiKey: workspace.secret, body: JSON.stringify({ key: appKey }), headers: { 'content-type': 'text/plain' } });
  expectErrorEnvelope(text, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  const large = await rawRequest(api.baseUrl, FAST, { apiKey: workspace.secret, body: JSON.stringify({ key: appKey, model: 'm'.repeat(100 * 1024) }) });
  expectErrorEnvelope(large, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
});

// The client is 192.0.2.10 in `admitted`; in `forged` it wrote 192.0.2.10 itself, further left.
describe.each([
  ['true', 'one proxy in front', '198.51.100.7, 192.0.2.10', '192.0.2.10, 198.51.100.7'],
  ['2', 'two proxies in a row', '198.51.100.7, 192.0.2.10, 203.0.113.5', '192.0.2.10, 198.51.100.7, 203.0.113.5'],
  ['127.0.0.1', 'the proxy by address', '198.51.100.7, 192.0.2.10', '192.0.2.10, 198.51.100.7'],
])('behind trusted proxies (KW_TRUST_PROXY=%s: %s)', (trustProxy, _proxies, admitted, forged) => {
  let proxied: ApiProcess;
  /** An admin key that may verify from 192.0.2.10 only. */
  let allowlisted: string;

  beforeAll(async () => {
    proxied = await startApi({ KW_TRUST_PROXY: trustProxy });
    allowlisted = (
      await client(proxied.baseUrl, workspace.secret).adminKeys.create({ name: uniqueName('ip'), role: 'developer', policy: { ipAllowlist: ['192.0.2.10/32'] } })
    ).secret;
  });

  afterAll(async () => {
    await proxied?.stop();
  });

  const verifyVia = (path: string, forwardedFor: string) =>
    rawRequest(proxied.baseUrl, path, { apiKey: allowlisted, body: JSON.stringify({ key: appKey }), headers: { 'x-forwarded-for': forwardedFor } });

  it('admits the caller from the address the proxy appended, on both paths', async () => {
    for (const path of [FAST, ROUTED]) {
      const response = await verifyVia(path, admitted);
      expect({ path, status: response.status, body: response.json }).toMatchObject({ path, status: 200, body: { valid: true } });
    }
  });

  it('does not believe the address the client wrote itself, on both paths', async () => {
    for (const path of [FAST, ROUTED]) expectErrorEnvelope(await verifyVia(path, forged), { status: 403, code: 'IP_NOT_ALLOWED' });
  });
});

describe('with HTTPS required (KW_REQUIRE_HTTPS=true), behind a trusted TLS proxy', () => {
  let strict: ApiProcess;

  beforeAll(async () => {
    strict = await startApi({ KW_REQUIRE_HTTPS: 'true', KW_TRUST_PROXY: 'true' });
  });

  afterAll(async () => {
    await strict?.stop();
  });

  const verifyOver = (path: string, proto: string) =>
    rawRequest(strict.baseUrl, path, { apiKey: workspace.secret, body: JSON.stringify({ key: appKey }), headers: { 'x-forwarded-proto': proto } });

  it('answers a verify that came over HTTPS with HSTS, as the Fastify route does', async () => {
    const fast = await verifyOver(FAST, 'https');
    expect({ status: fast.status, body: fast.json, hsts: fast.headers.get('strict-transport-security') }).toMatchObject({
      status: 200,
      body: { valid: true },
      hsts: 'max-age=31536000; includeSubDomains',
    });
    expect(comparable(fast)).toEqual(comparable(await verifyOver(ROUTED, 'https')));
  });

  it('refuses a verify that came over plain HTTP with 403 HTTPS_REQUIRED, as the Fastify route does', async () => {
    const fast = await verifyOver(FAST, 'http');
    expectErrorEnvelope(fast, { status: 403, code: 'HTTPS_REQUIRED' });
    expect(comparable(fast)).toEqual(comparable(await verifyOver(ROUTED, 'http')));
  });
});
