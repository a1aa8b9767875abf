import { Injectable } from '@nestjs/common';
import { costToMicros, newId, type UsageEvent, type VerifyKeyRequest, type VerifyKeyResponse } from '@keywarden/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPortalPrincipal, type Principal } from '../credentials/principal';
import { UsageRecorder } from './usage-recorder.service';

/** How a route is metered; routes without it yield one `request` event per authenticated call. */
type MeteringKind = 'verify';

interface MeteringRouteConfig {
  metering?: MeteringKind;
}

/**
 * Route config of a route whose body is a `VerifyKeyRequest` and whose answer is a
 * `VerifyKeyResponse`: it yields one `verify` event, billed to the verified key, instead
 * of a `request` event.
 */
export const METERED_AS_VERIFY: MeteringRouteConfig = { metering: 'verify' };

/** Whether a route (by its config) is metered as a verify. */
function isVerifyRoute(config: unknown): boolean {
  return (config as MeteringRouteConfig | undefined)?.metering === 'verify';
}

/** What a request came to, as far as metering needs it. */
export type RequestOutcome =
  | { kind: 'verified'; response: VerifyKeyResponse }
  | { kind: 'failed'; errorCode: string }
  | { kind: 'answered' };

/** The facts of a finished request the usage event is built from. */
export interface FinishedRequest {
  method: string;
  /** The route pattern, not the raw path (which may carry ids). */
  routeUrl: string | undefined;
  requestId: string;
  ip: string | undefined;
  principal: Principal | undefined;
  /** The parsed body (a `VerifyKeyRequest` on verify routes). */
  body: unknown;
  status: number;
  latencyMs: number;
  outcome: RequestOutcome;
}

function outcomeCode(status: number, outcome: RequestOutcome): string {
  if (status < 400) return 'VALID';
  if (outcome.kind === 'failed') return outcome.errorCode;
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'INSUFFICIENT_PERMISSIONS';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status < 500) return 'VALIDATION_FAILED';
  return 'INTERNAL_ERROR';
}

// Many events share a millisecond under load: its ISO form is made once.
let isoMs = Number.NaN;
let isoText = '';

function isoTimestamp(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}

/**
 * The usage event of a finished request, or null when there is nobody to bill
 * (unauthenticated, or a customer in the portal: no key, and an event naming none would
 * be refused by the rollup with every event batched beside it). A verify is billed to the verified key (its workspace and app)
 * when it was recognised, else to the caller's workspace alone; it never carries the key.
 */
export function usageEventOf(request: FinishedRequest, now = Date.now()): UsageEvent | null {
  const principal = request.principal;
  if (!principal || isPortalPrincipal(principal)) return null;
  const verified = request.outcome.kind === 'verified' && request.status < 400 ? request.outcome.response : null;
  const body = verified ? (request.body as VerifyKeyRequest) : null;
  const known = verified?.keyId !== undefined;
  const admitted = body !== null && verified?.code === 'VALID';
  // One object literal, no `{...common, ...}`: V8 clones a spread object and then adds a
  // dozen properties on a slow path, about 20 µs of CPU per verify (bench/README.md).
  return {
    id: newId('event', now),
    timestamp: isoTimestamp(now),
    workspaceId: principal.workspaceId,
    route: `${request.method} ${request.routeUrl ?? ''}`,
    status: request.status,
    latencyMs: request.latencyMs,
    appId: verified ? (known ? (verified.appId as string) : null) : principal.appId,
    keyId: verified ? (known ? (verified.keyId as string) : null) : principal.keyId,
    customerId: verified ? (verified.customer?.id ?? null) : principal.customerId,
    kind: verified ? 'verify' : 'request',
    scope: body?.scope ?? null,
    model: body?.model ?? null,
    outcome: verified ? verified.code : outcomeCode(request.status, request.outcome),
    ip: (body ? body.ip : undefined) ?? request.ip ?? null,
    // Only an admitted verify spends: a refused one counts as a request, not as its units and cost.
    units: admitted ? (body.units ?? 0) : 0,
    costMicros: admitted && body.cost !== undefined ? costToMicros(body.cost) : 0,
    requestId: body ? (body.requestId ?? null) : request.requestId,
  };
}

/** The error envelope's code, when the payload is one. */
function errorCodeOf(payload: unknown): string | undefined {
  const error = (payload as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

const OUTCOME = Symbol('usage outcome');
/** A successful answer before serialisation (a verify route's is the verify response). */
const ANSWER = Symbol('usage answer');
type WithOutcome = FastifyRequest & { [OUTCOME]?: RequestOutcome; [ANSWER]?: unknown; user?: Principal };

/**
 * The one metering seam: every authenticated request, and every verify, becomes exactly
 * one usage event once its answer is sent. The outcome is read from the answer itself
 * (the verify response, or the error envelope, before serialisation), so handlers,
 * guards and the exception filter know nothing of metering. The verify fast path, which
 * answers before Fastify, reports its finished requests to `meter` itself.
 */
@Injectable()
export class RequestMetering {
  constructor(private readonly recorder: UsageRecorder) {}

  /** Records the usage event of a finished request (none when metering is off, or nobody is billed). */
  meter(finished: FinishedRequest): void {
    if (!this.recorder.enabled) return;
    const event = usageEventOf(finished);
    if (event) this.recorder.record(event);
  }

  install(fastify: FastifyInstance): void {
    if (!this.recorder.enabled) return;
    // Callback-style hooks: they run on every request, and an async hook costs a promise
    // and its microtasks each time.
    fastify.addHook('preSerialization', (request: WithOutcome, reply: FastifyReply, payload: unknown, done) => {
      if (reply.statusCode >= 400) {
        const errorCode = errorCodeOf(payload);
        if (errorCode !== undefined) request[OUTCOME] = { kind: 'failed', errorCode };
      } else {
        request[ANSWER] = payload;
      }
      done(null, payload);
    });
    fastify.addHook('onResponse', (request: WithOutcome, reply: FastifyReply, done) => {
      // Read once: Fastify builds the route options object anew at every read.
      const route = request.routeOptions;
      const answer = request[ANSWER];
      this.meter({
        method: request.method,
        routeUrl: route.url,
        requestId: String(request.id),
        ip: request.ip,
        principal: request.user,
        body: request.body,
        status: reply.statusCode,
        latencyMs: Math.round(reply.elapsedTime * 100) / 100,
        outcome:
          request[OUTCOME] ??
          (answer !== undefined && isVerifyRoute(route.config) ? { kind: 'verified', response: answer as VerifyKeyResponse } : { kind: 'answered' }),
      });
      done();
    });
  }
}
