import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keywarden } from '../client';
import { KeywardenError } from '../errors';
import { ADMIN_KEY, deadUrl, eventually, IDENTITY, StubKeywarden } from '../testing/stub-keywarden';
import { keywardenExpress } from './express';
import { KeywardenGate } from './gate';
import { keywardenIdentity } from './identity';
import type { KeywardenMiddlewareOptions } from './types';

/** A presented key: it must never show up in what the middleware answers. */
const KEY = 'kw_live_T0pS3cretK3yValue0123456789abcdXYZ';
const REQUEST_ID = /^req_[0-9a-z]{26}$/;

/** A fake framework request: headers, an IP and whatever the option callbacks read. */
interface FakeRequest {
  headers: Record<string, string>;
  ip: string;
  body?: { model?: string; tokens?: number };
}

function incoming(request: FakeRequest) {
  return { headers: request.headers, ip: request.ip };
}

function withKey(extra: Partial<FakeRequest> = {}): FakeRequest {
  return { headers: { authorization: `Bearer ${KEY}` }, ip: '203.0.113.7', ...extra };
}

let stub: StubKeywarden;

beforeEach(async () => {
  stub = await new StubKeywarden().start();
});

afterEach(async () => {
  await stub.close();
});

function gate(options: Partial<KeywardenMiddlewareOptions<FakeRequest>> = {}): KeywardenGate<FakeRequest> {
  return new KeywardenGate<FakeRequest>({ client: stub.client(), ...options });
}

describe('KeywardenGate: what it asks Keywarden', () => {
  it('sends the presented key, the scope, the request IP and a new request id, authenticated as the middleware', async () => {
    await gate({ scope: 'orders.read' }).decide(withKey(), incoming(withKey()));

    expect(stub.verifies).toEqual([
      {
        authorization: `Bearer ${ADMIN_KEY}`,
        body: { key: KEY, scope: 'orders.read', ip: '203.0.113.7', requestId: expect.stringMatching(REQUEST_ID) },
      },
    ]);
  });

  it('reads scope, model, units, cost and ip from the request when given callbacks, async ones too', async () => {
    const request = withKey({ body: { model: 'gpt-4o-mini', tokens: 321 } });

    await gate({
      scope: async (req) => (req.body?.model ? 'generation.create' : undefined),
      model: (req) => req.body?.model,
      units: (req) => req.body?.tokens,
      cost: () => 0.25,
      ip: (req) => req.headers['x-forwarded-for'] ?? '198.51.100.1',
    }).decide(request, incoming(request));

    expect(stub.verifies[0].body).toEqual({
      key: KEY,
      scope: 'generation.create',
      model: 'gpt-4o-mini',
      units: 321,
      cost: 0.25,
      ip: '198.51.100.1',
      requestId: expect.stringMatching(REQUEST_ID),
    });
  });

  it('takes the key from a custom extractor instead of the headers', async () => {
    const request: FakeRequest = { headers: { cookie: 'kw=abc' }, ip: '203.0.113.7' };

    await gate({ key: () => KEY }).decide(request, incoming(request));

    expect(stub.verifies[0].body.key).toBe(KEY);
  });

  it('uses a custom request id for the verify and the envelope', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'KEY_REVOKED', keyId: 'key_1' } };

    const decision = await gate({ requestId: () => 'trace-77' }).decide(withKey(), incoming(withKey()));

    expect(stub.verifies[0].body.requestId).toBe('trace-77');
    expect(decision).toMatchObject({ allow: false, body: { error: { requestId: 'trace-77' } } });
  });
});

describe('KeywardenGate: answers without asking Keywarden', () => {
  it('refuses a request without key as 401 UNAUTHORIZED "API key required"', async () => {
    const request: FakeRequest = { headers: {}, ip: '203.0.113.7' };

    const decision = await gate().decide(request, incoming(request));

    expect(decision).toEqual({
      allow: false,
      status: 401,
      headers: {},
      body: { error: { code: 'UNAUTHORIZED', message: 'API key required', requestId: expect.stringMatching(REQUEST_ID) } },
    });
    expect(stub.verifies).toHaveLength(0);
  });

  it('refuses a key longer than any key can be as 401 "Invalid API key", without echoing it', async () => {
    const long = `kw_live_${'x'.repeat(600)}`;
    const request: FakeRequest = { headers: { 'x-api-key': long }, ip: '203.0.113.7' };

    const decision = await gate().decide(request, incoming(request));

    expect(decision).toMatchObject({ allow: false, status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Invalid API key' } } });
    expect(JSON.stringify(decision)).not.toContain('xxxxxxxx');
    expect(stub.verifies).toHaveLength(0);
  });
});

describe('KeywardenGate: decisions from the answer', () => {
  it('lets a valid key through with its identity', async () => {
    const decision = await gate().decide(withKey(), incoming(withKey()));

    expect(decision).toEqual({
      allow: true,
      headers: {},
      identity: { ...IDENTITY, requestId: stub.verifies[0].body.requestId },
    });
  });

  it.each(['UNAUTHORIZED', 'KEY_REVOKED', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED'])(
    'never puts the presented key in a %s refusal',
    async (code) => {
      stub.verifyAnswer = { status: 200, body: { valid: false, code, ratelimit: { limit: 1, remaining: 0, reset: 2_000_000_000 } } };

      const decision = await gate({ scope: 'orders.write' }).decide(withKey(), incoming(withKey()));

      expect(decision.allow).toBe(false);
      expect(JSON.stringify(decision)).not.toContain(KEY);
    },
  );

  it('passes a VALIDATION_FAILED of Keywarden on as 400 with its details, redacting a key it echoed', async () => {
    stub.verifyAnswer = {
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Request validation failed',
          requestId: 'req_kw',
          details: [{ field: 'model', message: `model too long for ${KEY}` }],
        },
      },
    };

    const decision = await gate({ model: () => 'm'.repeat(200) }).decide(withKey(), incoming(withKey()));

    expect(decision).toMatchObject({
      allow: false,
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', details: [{ field: 'model' }] } },
    });
    expect(JSON.stringify(decision)).not.toContain(KEY);
  });
});

describe('KeywardenGate: when Keywarden gives no answer', () => {
  const unavailable = {
    allow: false,
    status: 503,
    headers: {},
    body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'API key verification is unavailable', requestId: expect.stringMatching(REQUEST_ID) } },
  };

  async function unreachableGate(options: Partial<KeywardenMiddlewareOptions<FakeRequest>> = {}) {
    const client = new Keywarden({ baseUrl: await deadUrl(), apiKey: ADMIN_KEY, retries: 0 });
    return new KeywardenGate<FakeRequest>({ client, ...options });
  }

  it('fails closed with 503 SERVICE_UNAVAILABLE by default when Keywarden is unreachable', async () => {
    const decision = await (await unreachableGate()).decide(withKey(), incoming(withKey()));

    expect(decision).toEqual(unavailable);
  });

  it('tells onError why, without the presented key', async () => {
    const errors: unknown[] = [];

    await (await unreachableGate({ onError: (error) => errors.push(error) })).decide(withKey(), incoming(withKey()));

    expect(errors).toEqual([expect.any(KeywardenError)]);
    expect((errors[0] as KeywardenError).code).toBe('NETWORK_ERROR');
    expect(JSON.stringify(errors[0])).not.toContain(KEY);
  });

  it('lets the request through without identity when failOpen and Keywarden is unreachable', async () => {
    const decision = await (await unreachableGate({ failOpen: true })).decide(withKey(), incoming(withKey()));

    expect(decision).toEqual({ allow: true, identity: null, headers: {} });
  });

  it('lets the request through when failOpen and Keywarden answers 5xx', async () => {
    stub.verifyAnswer = { status: 502, body: '<html>bad gateway</html>' };

    expect(await gate({ failOpen: true }).decide(withKey(), incoming(withKey()))).toEqual({ allow: true, identity: null, headers: {} });
  });

  it("passes Keywarden's Retry-After on with its 503 when Keywarden answers 503 itself", async () => {
    stub.verifyAnswer = {
      status: 503,
      headers: { 'retry-after': '5' },
      body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable', requestId: 'req_kw' } },
    };

    expect(await gate().decide(withKey(), incoming(withKey()))).toEqual({ ...unavailable, headers: { 'Retry-After': '5' } });
  });

  it('fails closed even with failOpen when Keywarden rejects the middleware credentials', async () => {
    stub.verifyAnswer = { status: 401, body: { error: { code: 'KEY_REVOKED', message: 'API key has been revoked', requestId: 'req_kw' } } };

    expect(await gate({ failOpen: true }).decide(withKey(), incoming(withKey()))).toEqual(unavailable);
  });

  it('fails closed even with failOpen when a valid answer lacks the key identity', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID' } };

    expect(await gate({ failOpen: true }).decide(withKey(), incoming(withKey()))).toEqual(unavailable);
  });
});

describe('KeywardenGate: configuration', () => {
  it('rejects options without a client', () => {
    expect(() => new KeywardenGate({} as KeywardenMiddlewareOptions<FakeRequest>)).toThrow(
      'Keywarden middleware: options.client must be a Keywarden client',
    );
  });

  it('rejects an empty scope', () => {
    expect(() => gate({ scope: '' })).toThrow('options.scope must be a non-empty string or a function');
  });

  it('passes an error thrown by an option callback on to the caller', async () => {
    const failing = gate({
      model: () => {
        throw new Error('no model in body');
      },
    });

    await expect(failing.decide(withKey(), incoming(withKey()))).rejects.toThrow('no model in body');
  });
});

/** A Node server with the Express adapter in front of `handler`, as connect would run it. */
async function protectedServer(
  options: Partial<KeywardenMiddlewareOptions<IncomingMessage>>,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const middleware = keywardenExpress({ client: stub.client(), ...options });
  const server = createServer((request, response) =>
    middleware(request, response, (error) => {
      if (error) response.writeHead(500).end(`next(${String(error)})`);
      else handler(request, response);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function echoIdentity(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ identity: keywardenIdentity(request) }));
}

describe('keywardenExpress over Node http', () => {
  let server: Awaited<ReturnType<typeof protectedServer>> | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers a refusal itself: status, rate-limit headers, Retry-After and the JSON envelope', async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'RATE_LIMITED', keyId: 'key_1', ratelimit: { limit: 5, remaining: 0, reset } } };
    server = await protectedServer({}, echoIdentity);

    const response = await fetch(server.url, { headers: { authorization: `Bearer ${KEY}` } });
    const text = await response.text();

    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-ratelimit-limit')).toBe('5');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(reset));
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(JSON.parse(text)).toEqual({ error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded', requestId: expect.stringMatching(REQUEST_ID) } });
    expect(text).not.toContain(KEY);
  });

  it('hands a valid request to the next handler with the identity attached and the headers set', async () => {
    const ratelimit = { limit: 5, remaining: 4, reset: 2_000_000_000 };
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, ratelimit } };
    server = await protectedServer({}, echoIdentity);

    const response = await fetch(server.url, { headers: { 'x-api-key': KEY } });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(await response.json()).toEqual({ identity: { ...IDENTITY, ratelimit, requestId: expect.stringMatching(REQUEST_ID) } });
  });

  it('uses the socket address as the IP when the request has no `ip`', async () => {
    server = await protectedServer({}, echoIdentity);

    await fetch(server.url, { headers: { 'x-api-key': KEY } });

    expect(stub.verifies[0].body.ip).toBe('127.0.0.1');
  });

  it('calls next(error) when an option callback throws', async () => {
    server = await protectedServer(
      {
        scope: () => {
          throw new Error('no route scope');
        },
      },
      echoIdentity,
    );

    const response = await fetch(server.url, { headers: { 'x-api-key': KEY } });

    expect(response.status).toBe(500);
    expect(await response.text()).toBe('next(Error: no route scope)');
  });

  describe('concurrency leases', () => {
    beforeEach(() => {
      stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, leaseId: 'lease_abc' } };
    });

    it('releases the lease once the response has finished', async () => {
      let finish!: () => void;
      let entered!: () => void;
      const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
      server = await protectedServer({}, (_request, response) => {
        finish = () => response.end('done');
        entered();
      });

      const answer = fetch(server.url, { headers: { 'x-api-key': KEY } }).then((response) => response.text());
      await handlerEntered;
      expect(stub.releases).toEqual([]);
      finish();

      expect(await answer).toBe('done');
      await eventually(() => expect(stub.releases).toEqual(['lease_abc']));
    });

    it('releases the lease when the handler destroys the response with an error', async () => {
      server = await protectedServer({}, (_request, response) => response.destroy(new Error('handler failed')));

      await expect(fetch(server.url, { headers: { 'x-api-key': KEY } })).rejects.toThrow();

      await eventually(() => expect(stub.releases).toEqual(['lease_abc']));
    });

    it('releases the lease when the client goes away before the answer', async () => {
      let entered!: () => void;
      const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
      server = await protectedServer({}, () => entered()); // never answers
      const { port } = new URL(server.url);

      const clientRequest = httpRequest({ host: '127.0.0.1', port, headers: { 'x-api-key': KEY } });
      clientRequest.on('error', () => undefined);
      clientRequest.end();
      await handlerEntered;
      clientRequest.destroy();

      await eventually(() => expect(stub.releases).toEqual(['lease_abc']));
    });

    it('releases a lease only once', async () => {
      server = await protectedServer({}, (_request, response) => response.end('ok'));

      await (await fetch(server.url, { headers: { 'x-api-key': KEY } })).text();
      await eventually(() => expect(stub.releases).toHaveLength(1));
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(stub.releases).toEqual(['lease_abc']);
    });

    it('reports a failed release to onError', async () => {
      stub.releaseAnswer = { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req_kw' } } };
      const errors: KeywardenError[] = [];
      server = await protectedServer({ onError: (error) => errors.push(error as KeywardenError) }, (_request, response) => response.end('ok'));

      await (await fetch(server.url, { headers: { 'x-api-key': KEY } })).text();

      await eventually(() => expect(errors.map((error) => error.code)).toEqual(['INTERNAL_ERROR']));
    });
  });
});
