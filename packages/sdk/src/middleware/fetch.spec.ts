import { eventually, IDENTITY, StubKeywarden } from '../testing/stub-keywarden';
import { keywardenFetch } from './fetch';
import { keywardenIdentity } from './identity';

const KEY = 'kw_live_T0pS3cretK3yValue0123456789abcdXYZ';
const LEASE = 'lease_01jfetchlease0000000000000';

let stub: StubKeywarden;

beforeEach(async () => {
  stub = await new StubKeywarden().start();
});

afterEach(async () => {
  await stub.close();
});

function keyRequest(init: RequestInit = {}): Request {
  return new Request('http://service.test/orders', { ...init, headers: { authorization: `Bearer ${KEY}`, ...init.headers } });
}

/** A request the gate let through holding a concurrency lease. */
async function admittedWithLease(init: RequestInit = {}) {
  stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, leaseId: LEASE } };
  const gate = keywardenFetch({ client: stub.client() });
  const request = keyRequest(init);
  expect(await gate(request)).toBeNull();
  return { gate, request };
}

describe('keywardenFetch: the gate', () => {
  it('answers a refusal as a Response: status, rate-limit headers, Retry-After and the JSON envelope', async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'RATE_LIMITED', ratelimit: { limit: 5, remaining: 0, reset } } };
    const gate = keywardenFetch({ client: stub.client() });

    const refusal = (await gate(keyRequest())) as Response;

    expect(refusal.status).toBe(429);
    expect(refusal.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(refusal.headers.get('x-ratelimit-limit')).toBe('5');
    expect(refusal.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refusal.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    const text = await refusal.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded', requestId: expect.stringMatching(/^req_/) } });
    expect(text).not.toContain(KEY);
  });

  it('refuses a request without key as 401 "API key required" without asking Keywarden', async () => {
    const gate = keywardenFetch({ client: stub.client() });

    const refusal = (await gate(new Request('http://service.test/orders'))) as Response;

    expect(refusal.status).toBe(401);
    expect(((await refusal.json()) as { error: unknown }).error).toMatchObject({ code: 'UNAUTHORIZED', message: 'API key required' });
    expect(stub.verifies).toHaveLength(0);
  });

  it('lets a valid key through (null) with its identity on keywardenIdentity(request)', async () => {
    const gate = keywardenFetch({ client: stub.client(), scope: 'orders.read' });
    const request = keyRequest();

    expect(await gate(request)).toBeNull();

    expect(keywardenIdentity(request)).toEqual({ ...IDENTITY, requestId: expect.stringMatching(/^req_/) });
    expect(stub.verifies[0].body).toMatchObject({ key: KEY, scope: 'orders.read' });
  });

  it('reads the key from X-API-Key too', async () => {
    const gate = keywardenFetch({ client: stub.client() });

    expect(await gate(new Request('http://service.test/', { headers: { 'x-api-key': KEY } }))).toBeNull();

    expect(stub.verifies[0].body).toMatchObject({ key: KEY });
  });

  it('sends the client IP the runtime reports with the call, or the one the ip option reads', async () => {
    const fromCall = keywardenFetch({ client: stub.client() });
    const fromOption = keywardenFetch({ client: stub.client(), ip: (request) => request.headers.get('x-real-ip') ?? undefined });

    await fromCall(keyRequest(), { ip: '203.0.113.7' });
    await fromOption(keyRequest({ headers: { 'x-real-ip': '198.51.100.4' } }), { ip: '10.0.0.1' });

    expect(stub.verifies.map((verify) => verify.body.ip)).toEqual(['203.0.113.7', '198.51.100.4']);
  });

  it('lets the request through with a null identity when failOpen and Keywarden answers 5xx', async () => {
    stub.verifyAnswer = { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'down', requestId: 'req_x' } } };
    const gate = keywardenFetch({ client: stub.client(), failOpen: true });
    const request = keyRequest();

    expect(await gate(request)).toBeNull();

    expect(keywardenIdentity(request)).toBeNull();
  });
});

describe('keywardenFetch: complete', () => {
  it("puts the key's rate-limit headers on the handler's response and keeps its status, headers and body", async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, ratelimit: { limit: 10, remaining: 9, reset: 2_000_000_000 } } };
    const gate = keywardenFetch({ client: stub.client() });
    const request = keyRequest();
    await gate(request);

    const response = gate.complete(request, new Response('made', { status: 201, headers: { 'x-handler': 'yes' } }));

    expect(response.status).toBe(201);
    expect(response.headers.get('x-handler')).toBe('yes');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('9');
    expect(await response.text()).toBe('made');
  });

  it('leaves the response of a request the gate never admitted as it is', async () => {
    const gate = keywardenFetch({ client: stub.client() });
    const response = new Response('untouched');

    expect(gate.complete(new Request('http://service.test/'), response)).toBe(response);
  });

  describe('concurrency leases', () => {
    it('releases the lease once the body has been read to the end, not before', async () => {
      const { gate, request } = await admittedWithLease();

      const response = gate.complete(request, new Response('streamed body'));
      expect(stub.releases).toEqual([]);
      expect(await response.text()).toBe('streamed body');

      await eventually(() => expect(stub.releases).toEqual([LEASE]));
    });

    it('releases the lease at once for a response without body', async () => {
      const { gate, request } = await admittedWithLease();

      gate.complete(request, new Response(null, { status: 204 }));

      await eventually(() => expect(stub.releases).toEqual([LEASE]));
    });

    it('releases the lease when the body is cancelled', async () => {
      const { gate, request } = await admittedWithLease();

      await gate.complete(request, new Response('never read')).body?.cancel();

      await eventually(() => expect(stub.releases).toEqual([LEASE]));
    });

    it('releases the lease when the client goes away (the request is aborted), and only once', async () => {
      const client = new AbortController();
      const { gate, request } = await admittedWithLease({ signal: client.signal });

      client.abort();
      await eventually(() => expect(stub.releases).toEqual([LEASE]));
      await gate.complete(request, new Response('late')).text();

      await new Promise((resolve) => setImmediate(resolve));
      expect(stub.releases).toEqual([LEASE]);
    });
  });
});
