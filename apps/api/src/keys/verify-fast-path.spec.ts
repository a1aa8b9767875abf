import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { VerifyFastPath, type VerifyFastPathServices } from './verify-fast-path';
import { registerVerifyRoute } from './verify.route';

const BODY = JSON.stringify({ key: 'kw_live_x' });
const COMMON = {
  'content-type': 'application/json',
  'content-length': String(BODY.length),
  authorization: 'Bearer kw_admin_x',
};

/** A request as Node's server hands it over: a readable body with its method, URL and headers. */
function incoming(overrides: { method?: string; url?: string; headers?: Record<string, string | undefined>; rawHeaders?: string[] } = {}): IncomingMessage {
  const headers = Object.fromEntries(Object.entries({ ...COMMON, ...overrides.headers }).filter(([, value]) => value !== undefined));
  return Object.assign(new PassThrough(), {
    method: overrides.method ?? 'POST',
    url: overrides.url ?? '/v1/keys/verify',
    headers,
    rawHeaders: overrides.rawHeaders ?? Object.entries(headers).flat(),
  }) as unknown as IncomingMessage;
}

let response = {} as ServerResponse;
let fastify: FastifyInstance;
let fastPath: VerifyFastPath;

beforeEach(async () => {
  response = {} as ServerResponse;
  fastify = Fastify();
  // No request reaches a service in these tests: they are about which requests are taken.
  const services = {} as VerifyFastPathServices;
  registerVerifyRoute(fastify, services);
  fastPath = new VerifyFastPath(fastify, services, { bodyLimitBytes: 1024, hsts: null, trust: null, verifyLogSampleRate: 0 });
  await fastify.ready();
});

afterEach(async () => {
  await fastify.close();
});

it('takes a verify of the common shape', () => {
  expect(fastPath.take(incoming(), response)).toBe(true);
});

it('takes a JSON body that names its charset', () => {
  expect(fastPath.take(incoming({ headers: { 'content-type': 'application/json; charset=UTF-8' } }), response)).toBe(true);
});

it.each([
  ['another method', { method: 'GET' }],
  ['a query string', { url: '/v1/keys/verify?x=1' }],
  ['a trailing slash', { url: '/v1/keys/verify/' }],
  ['no Content-Length', { headers: { 'content-length': undefined } }],
  ['an empty body', { headers: { 'content-length': '0' } }],
  ['a body over the limit', { headers: { 'content-length': '1025' } }],
  ['a chunked body', { headers: { 'transfer-encoding': 'chunked' } }],
  ['another content type', { headers: { 'content-type': 'text/plain' } }],
  ['JSON in another charset', { headers: { 'content-type': 'application/json; charset=latin1' } }],
  ['no content type', { headers: { 'content-type': undefined } }],
  ['a cookie (a session may be the caller)', { headers: { cookie: 'kw_console_session=x' } }],
  ['two Authorization headers', { rawHeaders: ['Authorization', 'Bearer a', 'Authorization', 'Bearer b', 'Content-Type', 'application/json'] }],
])('leaves %s to Fastify', (_shape, overrides) => {
  expect(fastPath.take(incoming(overrides), response)).toBe(false);
});

it('leaves plain HTTP to Fastify when HTTPS is required (its hook answers 403)', () => {
  const strict = new VerifyFastPath(fastify, {} as VerifyFastPathServices, { bodyLimitBytes: 1024, hsts: 'max-age=1', trust: null, verifyLogSampleRate: 0 });
  const request = incoming({ headers: { 'x-forwarded-proto': 'https' } });
  // No trusted proxy: the header is the client's word, and the connection is plain.
  Object.defineProperty(request, 'socket', { value: { remoteAddress: '127.0.0.1', encrypted: false } });
  expect(strict.take(request, response)).toBe(false);
});

it('leaves every request to Fastify once it is closing, which answers 503', async () => {
  await fastify.close();
  expect(fastPath.take(incoming(), response)).toBe(false);
});

it('leaves requests to Fastify until it has compiled its schemas', () => {
  const early = new VerifyFastPath(Fastify(), {} as VerifyFastPathServices, { bodyLimitBytes: 1024, hsts: null, trust: null, verifyLogSampleRate: 0 });
  expect(early.take(incoming(), response)).toBe(false);
});

describe('a failure after the answer was decided (here: the metric registry throws)', () => {
  function servicesFailingAtTheMetric(): VerifyFastPathServices {
    const principal = { keyId: 'akey_x', kind: 'admin', workspaceId: 'ws_x', scopes: ['keys.verify'], appIds: null, policy: null };
    return {
      authenticator: { authenticateKey: async () => principal },
      policy: { admitManagement: async () => ({ code: 'VALID' }) },
      keys: { verify: async () => ({ valid: true, code: 'VALID' }) },
      metrics: {
        verifies: {
          inc: () => {
            throw new Error('registry broke');
          },
        },
      },
    } as unknown as VerifyFastPathServices;
  }

  it('is answered with the 500 envelope, not left hanging or crashing the process', async () => {
    const failing = new VerifyFastPath(fastify, servicesFailingAtTheMetric(), { bodyLimitBytes: 1024, hsts: null, trust: null, verifyLogSampleRate: 0 });
    const request = incoming();
    const written: { status?: number; headers?: Record<string, string>; body?: string } = {};
    const ended = new Promise<void>((resolve) => {
      Object.assign(response, {
        headersSent: false,
        writeHead: (status: number, headers: Record<string, string>) => Object.assign(written, { status, headers }),
        end: (body: string) => {
          written.body = body;
          resolve();
        },
      });
    });
    Object.defineProperty(request, 'socket', { value: { remoteAddress: '127.0.0.1' } });
    expect(failing.take(request, response)).toBe(true);
    (request as unknown as PassThrough).end(BODY);
    await ended;
    expect(written.status).toBe(500);
    expect(JSON.parse(written.body as string)).toEqual({
      error: { code: 'INTERNAL_ERROR', message: expect.any(String), requestId: written.headers?.['x-request-id'] },
    });
    expect(written.body).not.toContain('registry broke');
  });
});
