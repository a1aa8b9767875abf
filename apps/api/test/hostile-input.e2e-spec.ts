import { request as httpRequest } from 'node:http';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  errorDetails,
  expectErrorEnvelope,
  rawRequest,
  type RawResponse,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Input the probe answered with 500: bodies nested 5,000 levels deep, NUL bytes and
 * unpaired UTF-16 surrogates in stored text, `"role": null`, and duplicate credentials.
 * Each is a 400 VALIDATION_FAILED naming the field.
 */

let api: ApiProcess;
let workspace: Workspace;
let appId: string;
let keyId: string;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('hostile');
  const owner = client(api.baseUrl, workspace.secret);
  appId = (await owner.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] })).id;
  keyId = (await owner.keys.create({ appId, name: 'k', environment: 'live', scopes: ['generation.create'] })).id;
});

afterAll(async () => {
  await api?.stop();
});

function send(method: string, path: string, body: string): Promise<RawResponse> {
  return rawRequest(api.baseUrl, path, { method, apiKey: workspace.secret, body });
}

function expectFieldError(response: RawResponse, field: string, message: RegExp): void {
  expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  expect(errorDetails(response)).toEqual([{ field, message: expect.stringMatching(message) }]);
}

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('bodies nested 5,000 levels deep', () => {
  it.each([
    ['POST', '/v1/apps', 'scopeCatalog', () => `{"name":"x","scopeCatalog":${deepArray(5_000)}}`],
    ['PATCH', '/v1/apps/:app', 'detection', () => `{"detection":${deepObject(5_000)}}`],
    ['POST', '/v1/keys', 'metadata', () => `{"appId":"${appId}","name":"k","environment":"live","scopes":["generation.create"],"metadata":${deepObject(5_000)}}`],
    ['PATCH', '/v1/keys/:key', 'policy', () => `{"policy":${deepObject(5_000)}}`],
    ['POST', '/v1/admin-keys', 'policy', () => `{"name":"a","role":"viewer","policy":{"rateLimits":${deepObject(5_000)}}}`],
    ['POST', '/v1/usage', 'events', () => `{"events":${deepArray(5_000)}}`],
    ['POST', '/v1/keys/verify', 'key', () => `{"key":${deepArray(5_000)}}`],
    ['POST', '/v1/webhooks', 'eventTypes', () => `{"appId":"${appId}","url":"https://example.com/","eventTypes":${deepArray(5_000)}}`],
    ['POST', '/v1/apps', 'a', () => deepObject(5_000)],
  ])('%s %s: 400 naming %s', async (method, path, field, body) => {
    const response = await send(method, path.replace(':app', appId).replace(':key', keyId), body());
    expectFieldError(response, field, /must not nest deeper than 32 levels/);
  });

  it('still accepts metadata nested within the bound', async () => {
    const metadata = JSON.parse(deepObject(10));
    const response = await send('PATCH', `/v1/keys/${keyId}`, JSON.stringify({ metadata }));
    expect(response.status).toBe(200);
  });
});

describe('text PostgreSQL cannot store', () => {
  it.each([
    ['a NUL byte in an app name', 'POST', '/v1/apps', { name: 'a\u0000b' }, 'name', /NUL/],
    ['a NUL byte in a key description', 'PATCH', '/v1/keys/:key', { description: 'x\u0000' }, 'description', /NUL/],
    ['a NUL byte in metadata', 'PATCH', '/v1/keys/:key', { metadata: { note: 'a\u0000' } }, 'metadata.note', /NUL/],
    ['a NUL byte in a metadata field name', 'PATCH', '/v1/keys/:key', { metadata: { 'n\u0000te': 'a' } }, 'metadata', /field names must not contain NUL/],
    ['an unpaired high surrogate in an app name', 'POST', '/v1/apps', { name: 'a\ud800b' }, 'name', /unpaired UTF-16 surrogates/],
    ['an unpaired low surrogate in a key name', 'PATCH', '/v1/keys/:key', { name: '\udc00' }, 'name', /unpaired UTF-16 surrogates/],
    ['an unpaired surrogate in metadata (audit jsonb)', 'PATCH', '/v1/keys/:key', { metadata: { a: ['\ud83d'] } }, 'metadata.a.0', /unpaired/],
    ['a NUL byte in an admin key name', 'POST', '/v1/admin-keys', { name: 'a\u0000', role: 'viewer' }, 'name', /NUL/],
  ])('%s: 400 naming the field', async (_, method, path, body, field, message) => {
    const response = await send(method, path.replace(':key', keyId), JSON.stringify(body));
    expectFieldError(response, field, message);
  });

  it('keeps paired surrogates (emoji) as they are', async () => {
    const response = await send('PATCH', `/v1/keys/${keyId}`, JSON.stringify({ name: 'rocket 🚀' }));
    expect(response.status).toBe(200);
    expect((response.json as { name: string }).name).toBe('rocket 🚀');
  });

  it('refuses a NUL byte in a query string', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys?group=a%00b', { apiKey: workspace.secret });
    expectFieldError(response, 'group', /NUL/);
  });
});

describe('a list or a scalar where an object belongs', () => {
  let customerId: string;
  beforeAll(async () => {
    customerId = (await client(api.baseUrl, workspace.secret).customers.create({ externalId: uniqueName('hostile') })).id;
  });

  it.each([
    ['usage events that are lists', 'POST', '/v1/usage', { events: [[]] }, 'events'],
    ['usage events nested as lists', 'POST', '/v1/usage', { events: [[[[[]]]]] }, 'events'],
    ['an app default policy', 'PATCH', '/v1/apps/:app', { defaultPolicy: [] }, 'defaultPolicy'],
    ['app detection settings', 'POST', '/v1/apps', { name: 'x', detection: [[]] }, 'detection'],
    ['app containment settings', 'POST', '/v1/apps', { name: 'x', containment: [] }, 'containment'],
    ['app business hours', 'POST', '/v1/apps', { name: 'x', businessHours: [] }, 'businessHours'],
    ['app portal branding, as a string', 'PATCH', '/v1/apps/:app', { portal: 'x' }, 'portal'],
    ['a key policy', 'PATCH', '/v1/keys/:key', { policy: [] }, 'policy'],
    ['a key policy rate limits', 'PATCH', '/v1/keys/:key', { policy: { rateLimits: [] } }, 'policy.rateLimits'],
    ['an admin key policy', 'POST', '/v1/admin-keys', { name: 'a', role: 'viewer', policy: [] }, 'policy'],
    ['a customer policy', 'PATCH', '/v1/customers/:customer', { policy: [] }, 'policy'],
  ])('%s: 400 naming the field', async (_, method, path, body, field) => {
    const response = await send(method, path.replace(':app', appId).replace(':key', keyId).replace(':customer', customerId), JSON.stringify(body));
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(errorDetails(response)).toContainEqual({ field, message: expect.stringMatching(/must be an object/) });
  });

  it('leaves the customer policy as it was after a refused list', async () => {
    const owner = client(api.baseUrl, workspace.secret);
    await owner.customers.update(customerId, { policy: { rateLimits: { perMinute: 50 } } });
    await send('PATCH', `/v1/customers/${customerId}`, JSON.stringify({ policy: [] }));
    expect((await owner.customers.get(customerId)).policy).toEqual({ rateLimits: { perMinute: 50 } });
  });
});

describe('a customer ref that cannot exist', () => {
  it.each([
    ['a NUL byte', 'a%00b'],
    ['a character no externalId has', 'a%20b'],
    ['more than 128 characters', 'x'.repeat(129)],
  ])('%s: 404 NOT_FOUND on read and on change', async (_, ref) => {
    for (const [method, path] of [['GET', `/v1/customers/${ref}`], ['POST', `/v1/customers/${ref}/suspend`], ['DELETE', `/v1/customers/${ref}`]]) {
      const response = await rawRequest(api.baseUrl, path, { method, apiKey: workspace.secret });
      expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
    }
  });
});

it.each(['/docs/%00', '/console/assets/%00.js'])('%s: a static path the server will not serve is 404, not a missing scope', async (path) => {
  const response = await rawRequest(api.baseUrl, path);
  expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
});

describe('Content-Type: application/json with an empty body', () => {
  it('is no body: a POST that needs none goes through', async () => {
    const response = await send('POST', `/v1/keys/${keyId}/disable`, '');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: keyId, status: 'disabled' });
    expect((await send('POST', `/v1/keys/${keyId}/enable`, '')).status).toBe(200);
  });

  it('is no body where the body is optional: a rotation without a grace period goes through', async () => {
    const response = await send('POST', `/v1/keys/${keyId}/rotate`, '');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: keyId });
  });

  it('is a missing body where one is needed: 400 naming what is missing', async () => {
    expect(detailFields(await send('POST', '/v1/apps', ''))).toContain('name');
    expect(detailFields(await send('POST', '/v1/keys/verify', ''))).toEqual(['body']);
  });
});

it('"role": null is a field error, not a crash', async () => {
  const response = await send('POST', '/v1/admin-keys', JSON.stringify({ name: 'a', role: null }));
  expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  expect(detailFields(response)).toContain('role');
});

/**
 * A request with its headers exactly as given (fetch folds repeated headers into one and
 * sets Host itself; node:http sends a raw header list as it is, Host included).
 */
function withRawHeaders(headers: string[], request: { method?: string; path?: string; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${api.baseUrl}${request.path ?? '/v1/me'}`);
    const raw = headers.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'host') ? headers : ['Host', url.host, ...headers];
    const outgoing = httpRequest({ hostname: url.hostname, port: url.port, path: url.pathname, method: request.method ?? 'GET', headers: raw }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, text, json });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

describe('duplicate credentials', () => {
  it('two Authorization headers: 400 naming Authorization, even when both carry the same valid key', async () => {
    const response = await withRawHeaders(['Authorization', `Bearer ${workspace.secret}`, 'Authorization', `Bearer ${workspace.secret}`]);
    expectFieldError(response, 'Authorization', /must be given once/);
  });

  it('two X-API-Key headers: 400 naming X-API-Key', async () => {
    const response = await withRawHeaders(['X-API-Key', workspace.secret, 'x-api-key', 'kw_live_other']);
    expectFieldError(response, 'X-API-Key', /must be given once/);
  });

  it('a Bearer Authorization and an X-API-Key together: 400 naming X-API-Key, even when the second is not a key', async () => {
    const response = await withRawHeaders(['Authorization', `Bearer ${workspace.secret}`, 'X-API-Key', 'garbage']);
    expectFieldError(response, 'X-API-Key', /cannot be sent with Authorization: Bearer/);
  });

  it('one credential header is accepted', async () => {
    const response = await withRawHeaders(['Authorization', `Bearer ${workspace.secret}`]);
    expect(response.status).toBe(200);
  });
});

describe('a forged X-Forwarded-For behind one trusted proxy (KW_TRUST_PROXY=true)', () => {
  let proxied: ApiProcess;
  /** An admin key allowed from 192.0.2.10 only. */
  let allowlisted: string;

  beforeAll(async () => {
    proxied = await startApi({ KW_TRUST_PROXY: 'true' });
    const owner = client(proxied.baseUrl, workspace.secret);
    allowlisted = (await owner.adminKeys.create({ name: uniqueName('ip'), role: 'viewer', policy: { ipAllowlist: ['192.0.2.10/32'] } })).secret;
  });

  afterAll(async () => {
    await proxied?.stop();
  });

  const fromProxy = (forwardedFor: string) => rawRequest(proxied.baseUrl, '/v1/me', { apiKey: allowlisted, headers: { 'x-forwarded-for': forwardedFor } });

  it('does not let the client choose its address: the leftmost entry, which it sent itself, is not believed', async () => {
    expectErrorEnvelope(await fromProxy('192.0.2.10, 198.51.100.7'), { status: 403, code: 'IP_NOT_ALLOWED' });
  });

  it('believes the address the proxy appended', async () => {
    expect((await fromProxy('198.51.100.7, 192.0.2.10')).status).toBe(200);
  });
});

describe('a portal link asked for with a Host header that is no host (no KW_PUBLIC_BASE_URL)', () => {
  it.each(['evil.example/phish?x=', 'evil.example:1@x', 'evil.example#'])('Host %s: 400 naming Host, no link', async (host) => {
    const response = await withRawHeaders(['Host', host, 'Authorization', `Bearer ${workspace.secret}`, 'Content-Type', 'application/json'], {
      method: 'POST',
      path: '/v1/portal/sessions',
      body: JSON.stringify({ externalId: uniqueName('host'), permissions: ['keys.read'] }),
    });
    expectFieldError(response, 'Host', /is not a host name/);
  });
});
