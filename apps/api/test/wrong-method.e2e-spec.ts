import { type ApiProcess, bootstrapWorkspace, expectErrorEnvelope, rawRequest, startApi, type Workspace } from './harness';

/**
 * A method a path does not have is 405 METHOD_NOT_ALLOWED with an `Allow` header naming
 * the methods it has (HEAD beside every GET); a path no method has stays 404.
 */

let api: ApiProcess;
let workspace: Workspace;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('wrong-method');
});

afterAll(async () => {
  await api?.stop();
});

const UNKNOWN_KEY_ID = 'key_00000000000000000000000000';

describe('a method the path does not have', () => {
  it('PUT /v1/keys/:id is 405 and allows what /v1/keys/:id has', async () => {
    const response = await rawRequest(api.baseUrl, `/v1/keys/${UNKNOWN_KEY_ID}`, { method: 'PUT', apiKey: workspace.secret, body: '{"name":"x"}' });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Method PUT is not allowed on this path; it allows GET, HEAD, PATCH' });
    expect(response.headers.get('allow')).toBe('GET, HEAD, PATCH');
  });

  it('DELETE /v1/keys/verify (the verify route, beside Nest) is 405 and allows POST', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys/verify', { method: 'DELETE', apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    // The verify route, and GET and PATCH /v1/keys/:id, whose id "verify" names no key.
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, PATCH');
  });

  it('GET on a path that only takes POST is 405 and allows POST', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/leaks', { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('is 405 whatever the query string', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/customers?limit=2', { method: 'PUT', apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('is 405 without a key too, as an unknown path is 404 without one', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/apps', { method: 'DELETE' });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('covers the console pages', async () => {
    const response = await rawRequest(api.baseUrl, '/console/keys', { method: 'POST', body: '{}' });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers a CORS preflight with 405 and the Allow header, and still grants no other origin', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys', {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a path segment longer than any id', () => {
  // Longer than the router's longest path parameter (100 characters): no route takes it.
  const overlongId = 'k'.repeat(150);

  it.each(['GET', 'POST', 'PUT', 'DELETE'])('%s /v1/keys/<150 characters> is 404 without an Allow header, whichever method', async (method) => {
    const response = await rawRequest(api.baseUrl, `/v1/keys/${overlongId}`, { method, apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
    expect(response.headers.get('allow')).toBeNull();
  });

  it('is still 405 under a route that takes any path (the console pages), which has no parameter to exceed', async () => {
    const response = await rawRequest(api.baseUrl, `/console/${overlongId}`, { method: 'POST', body: '{}' });
    expectErrorEnvelope(response, { status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('what stays as it was', () => {
  it('a path no method has is 404 without an Allow header', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/nothing', { method: 'PUT', apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND', message: 'Route not found' });
    expect(response.headers.get('allow')).toBeNull();
  });

  it('HEAD on a GET route is answered by that route', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/me', { method: 'HEAD', apiKey: workspace.secret });
    expect(response.status).toBe(200);
    expect(response.headers.get('allow')).toBeNull();
  });

  it('a file missing under a route that serves files is 404', async () => {
    const response = await rawRequest(api.baseUrl, '/console/assets/missing.js');
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
    expect(response.headers.get('allow')).toBeNull();
  });
});
