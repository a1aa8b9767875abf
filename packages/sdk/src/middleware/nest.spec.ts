import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import { eventually, IDENTITY, StubKeywarden } from '../testing/stub-keywarden';
import { KeywardenGuard, type HttpExecutionContext, type NestLikeRequest } from './nest';

const KEY = 'kw_live_T0pS3cretK3yValue0123456789abcdXYZ';

let stub: StubKeywarden;

beforeEach(async () => {
  stub = await new StubKeywarden().start();
});

afterEach(async () => {
  await stub.close();
});

/** Node's own response object, as Nest on Express hands it to guards. */
function nodeResponse(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()));
}

function httpContext(request: NestLikeRequest, response: unknown): HttpExecutionContext {
  return { getType: () => 'http', switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) };
}

function guard(): KeywardenGuard {
  return new KeywardenGuard({ client: stub.client(), scope: 'orders.read' });
}

function keyRequest(): NestLikeRequest {
  return { headers: { authorization: `Bearer ${KEY}` }, ip: '203.0.113.7' };
}

describe('KeywardenGuard', () => {
  it("throws Nest's own HttpException with the refusal's status and envelope", async () => {
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'KEY_REVOKED', keyId: 'key_1' } };

    const refusal = await guard()
      .canActivate(httpContext(keyRequest(), nodeResponse()))
      .catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(HttpException);
    const exception = refusal as HttpException;
    expect(exception.getStatus()).toBe(401);
    expect(exception.getResponse()).toEqual({
      error: { code: 'KEY_REVOKED', message: 'API key has been revoked', requestId: expect.stringMatching(/^req_/) },
    });
    expect(JSON.stringify(exception.getResponse())).not.toContain(KEY);
  });

  it('sets Retry-After and the rate-limit headers on the Node response (Nest on Express) before refusing', async () => {
    const reset = Math.floor(Date.now() / 1000) + 20;
    stub.verifyAnswer = { status: 200, body: { valid: false, code: 'RATE_LIMITED', ratelimit: { limit: 3, remaining: 0, reset } } };
    const response = nodeResponse();

    await expect(guard().canActivate(httpContext(keyRequest(), response))).rejects.toBeInstanceOf(HttpException);

    expect(response.getHeader('X-RateLimit-Limit')).toBe('3');
    expect(response.getHeader('X-RateLimit-Reset')).toBe(String(reset));
    expect(Number(response.getHeader('Retry-After'))).toBeGreaterThanOrEqual(19);
  });

  it("sets the headers on the raw response of a Fastify reply (Nest on Fastify)", async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, ratelimit: { limit: 3, remaining: 2, reset: 2_000_000_000 } } };
    const reply = { raw: nodeResponse() };

    await guard().canActivate(httpContext(keyRequest(), reply));

    expect(reply.raw.getHeader('X-RateLimit-Remaining')).toBe('2');
  });

  it('allows a valid key and attaches its identity to the request', async () => {
    const request = keyRequest();

    await expect(guard().canActivate(httpContext(request, nodeResponse()))).resolves.toBe(true);

    expect(request.keywarden).toEqual({ ...IDENTITY, requestId: expect.stringMatching(/^req_/) });
    expect(stub.verifies[0].body).toMatchObject({ key: KEY, scope: 'orders.read', ip: '203.0.113.7' });
  });

  it('releases the lease when the response closes', async () => {
    stub.verifyAnswer = { status: 200, body: { valid: true, code: 'VALID', ...IDENTITY, leaseId: 'lease_nest' } };
    const response = nodeResponse();

    await guard().canActivate(httpContext(keyRequest(), response));
    expect(stub.releases).toEqual([]);
    response.emit('close');

    await eventually(() => expect(stub.releases).toEqual(['lease_nest']));
  });

  it('refuses to guard anything but HTTP', async () => {
    const rpc: HttpExecutionContext = { getType: () => 'rpc', switchToHttp: () => ({ getRequest: () => ({}), getResponse: () => ({}) }) };

    await expect(guard().canActivate(rpc)).rejects.toThrow('KeywardenGuard protects HTTP routes only, not rpc');
  });
});
