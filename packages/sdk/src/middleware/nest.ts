import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { ErrorEnvelope } from '@keywarden/core';
import { KeywardenGate } from './gate';
import type { KeywardenMiddlewareOptions, KeywardenRequest } from './types';

/** The part of Nest's `ExecutionContext` the guard uses. */
export interface HttpExecutionContext {
  getType(): string;
  switchToHttp(): { getRequest(): unknown; getResponse(): unknown };
}

/** Express's or Fastify's request, as Nest hands it over. */
export interface NestLikeRequest extends KeywardenRequest {
  headers: IncomingHttpHeaders;
  ip?: string;
}

type HttpExceptionClass = new (response: ErrorEnvelope, status: number) => Error;

/**
 * Loaded only when a guard is built, so that Express and Fastify users of the SDK never
 * need Nest. A refusal must be Nest's own HttpException (the very class of the app's
 * copy of @nestjs/common): that is what exception filters answer with the given body.
 */
function loadHttpException(): HttpExceptionClass {
  try {
    return (require('@nestjs/common') as { HttpException: HttpExceptionClass }).HttpException;
  } catch {
    throw new Error('KeywardenGuard needs @nestjs/common, which a NestJS application has');
  }
}

/** Express's response is Node's; Fastify's reply wraps it as `raw`. */
function nodeResponse(response: unknown): ServerResponse {
  const reply = response as ServerResponse & { raw?: ServerResponse };
  return reply.raw ?? reply;
}

/**
 * NestJS guard (`CanActivate`) for Nest on Express or on Fastify:
 * `@UseGuards(new KeywardenGuard(options))` or `app.useGlobalGuards(new KeywardenGuard(options))`.
 * A refusal is thrown as an HttpException whose body is the Keywarden error envelope.
 */
export class KeywardenGuard<Req extends NestLikeRequest = NestLikeRequest> {
  readonly #gate: KeywardenGate<Req>;
  readonly #HttpException: HttpExceptionClass;

  constructor(options: KeywardenMiddlewareOptions<Req>) {
    this.#gate = new KeywardenGate(options);
    this.#HttpException = loadHttpException();
  }

  async canActivate(context: HttpExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw new TypeError(`KeywardenGuard protects HTTP routes only, not ${context.getType()}`);
    const http = context.switchToHttp();
    const request = http.getRequest() as Req;
    const response = nodeResponse(http.getResponse());
    const decision = await this.#gate.decide(request, { headers: request.headers, ip: request.ip });
    // On Node's response, so both adapters send them with whatever answer follows.
    for (const [name, value] of Object.entries(decision.headers)) response.setHeader(name, value);
    if (!decision.allow) throw new this.#HttpException(decision.body, decision.status);
    request.keywarden = decision.identity;
    if (decision.leaseId) this.#gate.holdLease(response, decision.leaseId);
    return true;
  }
}
