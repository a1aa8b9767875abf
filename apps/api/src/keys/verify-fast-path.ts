import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';
import { newId, VERIFY_KEY_REQUEST_SCHEMA, VERIFY_KEY_RESPONSE_SCHEMA, type VerifyKeyRequest, type VerifyKeyResponse } from '@keywarden/core';
import { RequestLogger } from '@keywarden/platform';
import type { FastifyInstance, FastifyServerFactory, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { repeatedCredentialHeader } from '../common/api-headers';
import { bodyIssue } from '../common/body-guard';
import { ApiError } from '../common/api-error';
import { describeError } from '../common/error.filter';
import { completionLogLevel, writeRequestCompletion } from '../common/request-log';
import type { Principal } from '../credentials/principal';
import type { ProxyTrust } from '../transport/proxy-trust';
import type { RequestMetering, RequestOutcome } from '../usage/request-metering';
import { admitVerifyCaller, VERIFY_ROUTE, type VerifyRouteServices } from './verify.route';

/** A JSON body as every SDK sends it; any other content type (or none) is left to Fastify's parsers. */
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;

/** Validates and serialises as the verify route's own schema does, compiled by the same Fastify instance. */
interface CompiledSchemas {
  validate: ((body: unknown) => boolean) & { errors?: unknown[] | null };
  serialize: (answer: VerifyKeyResponse) => string;
}

export interface VerifyFastPathServices extends VerifyRouteServices {
  metering: RequestMetering;
  logger: Logger;
}

export interface VerifyFastPathOptions {
  bodyLimitBytes: number;
  /** With KW_REQUIRE_HTTPS: the Strict-Transport-Security of every answer, and only requests that came over HTTPS are taken. */
  hsts: string | null;
  /** The proxy trust the Fastify instance was given: `request.ip` and `request.protocol` here are Fastify's. */
  trust: ProxyTrust | null;
  verifyLogSampleRate: number;
}

/**
 * `POST /v1/keys/verify` answered by Node's HTTP server before Fastify sees the request:
 * verify runs on every request of every integrator, and Fastify's per-request machinery
 * in a Nest application (request and reply objects, a dozen hooks, the router, the
 * content-type parser) cost more than the verify itself (bench/README.md). It does what
 * the Fastify route does, in its order and with the same code: the request id and API
 * headers, the body through Fastify's own JSON parser, the body guard, the caller
 * (`verifyCaller`, shared with the route), the route's schemas as Fastify compiled them,
 * `KeysService.verify`, the error envelope, metering and the request log.
 *
 * It takes only the common shape of a verify; anything else (a query string, another
 * content type, no Content-Length, a body over the limit, a cookie, repeated credentials,
 * a server shutting down, plain HTTP where HTTPS is required) goes to the Fastify route,
 * which answers it as before.
 */
export class VerifyFastPath {
  private schemas: CompiledSchemas | null = null;
  private closing = false;
  private readonly parseJson: (text: string) => unknown;

  constructor(
    private readonly fastify: FastifyInstance,
    private readonly services: VerifyFastPathServices,
    private readonly options: VerifyFastPathOptions,
  ) {
    // Fastify's parser, with the poisoning rules the instance was built with.
    const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig as FastifyServerOptions;
    const parser = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
    this.parseJson = (text) => {
      let parsed: unknown;
      let failure: Error | null = null;
      parser(null as never, text, (error, value) => {
        failure = error;
        parsed = value;
      });
      if (failure) throw failure;
      return parsed;
    };
    // New requests on kept-alive connections get Fastify's 503 while it closes.
    fastify.addHook('preClose', (done) => {
      this.closing = true;
      done();
    });
  }

  /** Answers `request` when it is a verify of the common shape; false leaves it to Fastify. */
  take(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST' || request.url !== VERIFY_ROUTE || this.closing) return false;
    const headers = request.headers;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= this.options.bodyLimitBytes) || headers['transfer-encoding'] !== undefined) return false;
    const type = headers['content-type'];
    if (type === undefined || !JSON_CONTENT_TYPE.test(type) || headers.cookie !== undefined) return false;
    if (repeatedCredentialHeader(request.rawHeaders) !== null) return false;
    // Refused by Fastify's hook (403 HTTPS_REQUIRED).
    if (this.options.hsts !== null && this.protocolOf(request) !== 'https') return false;
    const schemas = this.schemas ?? this.compileSchemas();
    if (schemas === null) return false;
    this.readBody(request, response, schemas);
    return true;
  }

  /** Fastify compiles schemas once it is ready: the first verify after that compiles the route's again. */
  private compileSchemas(): CompiledSchemas | null {
    const { validatorCompiler, serializerCompiler } = this.fastify;
    if (!validatorCompiler || !serializerCompiler) return null;
    this.schemas = {
      validate: validatorCompiler({ schema: VERIFY_KEY_REQUEST_SCHEMA, method: 'POST', url: VERIFY_ROUTE, httpPart: 'body' }) as CompiledSchemas['validate'],
      serialize: serializerCompiler({ schema: VERIFY_KEY_RESPONSE_SCHEMA, method: 'POST', url: VERIFY_ROUTE, httpStatus: '200' }),
    };
    return this.schemas;
  }

  private readBody(request: IncomingMessage, response: ServerResponse, schemas: CompiledSchemas): void {
    const started = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    // A client gone before its body ended gets no answer, as on Fastify's route.
    request.on('error', () => undefined);
    request.on('end', () => {
      // Decoded once: a body is one chunk or a few.
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      this.answer(request, response, schemas, text, started).catch((error: unknown) => this.answerFailure(response, error));
    });
  }

  /** A failure after the answer's own error handling (writing it, metering): logged, and answered if nothing was sent yet. */
  private answerFailure(response: ServerResponse, error: unknown): void {
    const { status, body } = describeError(error, newId('request'));
    if (response.headersSent) return void response.destroy();
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': body.error.requestId });
    response.end(JSON.stringify(body));
  }

  private async answer(request: IncomingMessage, response: ServerResponse, schemas: CompiledSchemas, text: string, started: number): Promise<void> {
    const requestId = newId('request');
    const ip = this.ipOf(request);
    let principal: Principal | undefined;
    let body: unknown;
    let status = 200;
    let payload: string;
    let outcome: RequestOutcome;
    let code: string;
    // Name, value, name, value: written at once by `writeHead`, as the Fastify route's reply does.
    const headers: string[] = ['x-request-id', requestId, 'cache-control', 'no-store', 'x-content-type-options', 'nosniff'];
    if (this.options.hsts !== null) headers.push('strict-transport-security', this.options.hsts);
    const setHeader = (name: string, value: string | number) => void headers.push(name, String(value));
    try {
      body = this.parseJson(text);
      const issue = bodyIssue(body);
      if (issue) throw ApiError.validation(issue.field, issue.message);
      // Awaited only when not answered at once (a key or a limit not in this instance's memory).
      const holder = this.services.authenticator.authenticateKey({ headers: request.headers, ip });
      principal = holder instanceof Promise ? await holder : holder;
      const admitted = admitVerifyCaller(this.services, principal, ip, setHeader);
      if (admitted instanceof Promise) await admitted;
      if (!schemas.validate(body)) throw Object.assign(new Error('body does not match its schema'), { validation: schemas.validate.errors });
      const answer = await this.services.keys.verify(principal, body as VerifyKeyRequest);
      payload = schemas.serialize(answer);
      code = answer.code;
      outcome = { kind: 'verified', response: answer };
    } catch (error) {
      const { status: errorStatus, body: envelope, retryAfterSeconds } = describeError(error, requestId);
      if (retryAfterSeconds !== undefined) setHeader('retry-after', retryAfterSeconds);
      status = errorStatus;
      payload = JSON.stringify(envelope);
      code = envelope.error.code;
      outcome = { kind: 'failed', errorCode: code };
    }
    this.services.metrics.verifies.inc({ code });
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(payload)));
    response.writeHead(status, headers);
    response.end(payload);
    const latencyMs = performance.now() - started;
    this.services.metering.meter({
      method: 'POST',
      routeUrl: VERIFY_ROUTE,
      requestId,
      ip,
      principal,
      body,
      status,
      latencyMs: Math.round(latencyMs * 100) / 100,
      outcome,
    });
    const verifyCode = outcome.kind === 'verified' ? code : undefined;
    // The request's logger has the instance's level: asked first, a line that is not written costs no logger.
    const level = completionLogLevel(this.services.logger, verifyCode, this.options.verifyLogSampleRate);
    if (level === null) return;
    writeRequestCompletion(new RequestLogger(this.services.logger, { reqId: requestId }, {}), level, {
      method: 'POST',
      route: VERIFY_ROUTE,
      status,
      durationMs: Math.round(latencyMs * 10) / 10,
      keyId: principal?.keyId,
      ip,
      code: verifyCode,
    });
  }

  /** Fastify's `request.protocol`: X-Forwarded-Proto (its last entry) from a trusted proxy, else the connection's own. */
  private protocolOf(request: IncomingMessage): string {
    const forwarded = request.headers['x-forwarded-proto'];
    const socket = request.socket as TLSSocket;
    if (typeof forwarded === 'string' && forwarded !== '' && this.options.trust !== null && this.options.trust(socket.remoteAddress ?? '', 0)) return forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
    return socket.encrypted ? 'https' : 'http';
  }

  /** Fastify's `request.ip`; a socket already closed has no address, and its request gets no answer anyway. */
  private ipOf(request: IncomingMessage): string {
    if (this.options.trust === null) return request.socket.remoteAddress ?? '';
    const addresses = proxyAddr.all(request, this.options.trust);
    return addresses[addresses.length - 1];
  }
}

/**
 * Node's HTTP server as Fastify builds it (its timeouts), with the verify fast path in
 * front of Fastify's handler. The fast path exists once the application does: until then
 * every request is Fastify's.
 */
export function serverWithVerifyFastPath(fastPath: () => VerifyFastPath | undefined): FastifyServerFactory {
  return (fastifyHandler, options): Server => {
    const server = createServer(options.http ?? {}, (request, response) => {
      if (!fastPath()?.take(request, response)) fastifyHandler(request, response);
    });
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.requestTimeout = options.requestTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    const maxRequestsPerSocket = Number(options.maxRequestsPerSocket ?? 0);
    if (maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}
