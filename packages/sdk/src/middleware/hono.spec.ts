import { type Context, Hono } from 'hono';
import { eventually, IDENTITY, StubKeywarden } from '../testing/stub-keywarden';
import { keywardenHono, type KeywardenHonoEnv } from './hono';
import { keywardenIdentity } from './identity';

const KEY = 'kw_live_T0pS3cretK3yValue0123456789abcdXYZ';
const LEASE = 'lease_01jhonolease00000000000000';

let stub: StubKeywarden;

beforeEach(async () => {
  stub = await new StubKeywarden().start();
});

afterEach(async () => {
  await stub.close();
});

/** A real Hono app, driven through its fetch handler. */
function honoApp(options: Partial<Parameters<typeof keywardenHono<Context<KeywardenHonoEnv>>>[0]> = {}) {
  const app = new Hono<KeywardenHonoEnv>();
  app.use('/v1/*', keywardenHono<Context<KeywardenHonoEnv>>({ client: stub.client(), scope: 'orders.read', ...options }));
  app.get('/v1/orders', (c) => c.json({ identity: c.get('keywarden') }));
  app.get('/v1/whoami', (c) => c.json({ fromContext: keywardenIdentity(c)?.keyId, fromRequest: keywardenIdentity(c.req.raw)?.keyId }));
  app.get('/v1/broken', () => {
    throw new Error('handler failed');
  });
  app.get('/health', (c) => c.text('ok'));
  app.onError((_error, c) => c.text('failed', 500));
  return app;
}

function withKey(path: string): Request {
  return new Request(`http://service.test${path}`, { headers: { authorization: `Bearer ${KEY}` } });
}

describe('keywardenHono', () => {
  it('answers a refusal itself with the status and envelope; the handler does not run', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'INSUFFICIENT_PERMISSIONS', ...IDENTITY } };

    const response = await honoApp().fetch(withKey('/v1/orders'));

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: 'INSUFFICIENT_PERMISSIONS', message: 'API key lacks the required scope: orders.read', requestId: expect.stringMatching(/^req_/) },
    });
  });

  it("gives the handler the identity as c.get('keywarden') and the response the rate-limit headers", async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, ratelimit: { limit: 10, remaining: 4, reset: 2_000_000_000 } } };

    const response = await honoApp().fetch(withKey('/v1/orders'));

    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(await response.json()).toEqual({
      identity: { ...IDENTITY, ratelimit: { limit: 10, remaining: 4, reset: 2_000_000_000 }, requestId: expect.stringMatching(/^req_/) },
    });
  });

  it('lets keywardenIdentity find the identity from the context and from its request, as in every framework', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY } };

    const response = await honoApp().fetch(withKey('/v1/whoami'));

    expect(await response.json()).toEqual({ fromContext: IDENTITY.keyId, fromRequest: IDENTITY.keyId });
  });

  it("hands Hono's context to the option callbacks", async () => {
    const app = honoApp({ model: (c) => c.req.header('x-model'), ip: (c) => c.req.header('x-real-ip') });

    await app.fetch(new Request('http://service.test/v1/orders', { headers: { 'x-api-key': KEY, 'x-model': 'gpt-4o', 'x-real-ip': '203.0.113.9' } }));

    expect(stub.verifies[0].body).toMatchObject({ key: KEY, model: 'gpt-4o', ip: '203.0.113.9' });
  });

  it('leaves routes outside its path alone', async () => {
    const response = await honoApp().fetch(new Request('http://service.test/health'));

    expect(await response.text()).toBe('ok');
    expect(stub.verifies).toHaveLength(0);
  });

  it('releases the concurrency lease once the response body has been sent', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, leaseId: LEASE } };

    const response = await honoApp().fetch(withKey('/v1/orders'));
    await response.text();

    await eventually(() => expect(stub.releases).toEqual([LEASE]));
  });

  it("releases the lease of a request whose handler failed (Hono's error response)", async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, leaseId: LEASE } };

    const response = await honoApp().fetch(withKey('/v1/broken'));
    expect(response.status).toBe(500);
    await response.text();

    await eventually(() => expect(stub.releases).toEqual([LEASE]));
  });
});
