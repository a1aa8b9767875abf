import { newId, type UsageEvent } from '@keywarden/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../credentials/principal';

/**
 * What a handler knows about its own metering (verify: the verified key, model, units,
 * cost). The onResponse hook completes it with status and latency, so a verify yields
 * exactly one event.
 */
export type PendingUsage = Pick<
  UsageEvent,
  'workspaceId' | 'appId' | 'keyId' | 'customerId' | 'kind' | 'scope' | 'model' | 'outcome' | 'ip' | 'units' | 'costMicros' | 'requestId'
>;

/** Per-request metering state, carried on the Fastify request. */
export interface MeteredRequest {
  user?: Principal;
  /** Set by a handler that meters itself. */
  usage?: PendingUsage;
  /** false: the handler already recorded its events (or none are due). */
  meter?: boolean;
  /** The error envelope's code, set by the exception filter. */
  errorCode?: string;
}

function outcomeOf(status: number, errorCode: string | undefined): string {
  if (status < 400) return 'VALID';
  if (errorCode) return errorCode;
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'INSUFFICIENT_PERMISSIONS';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status < 500) return 'VALIDATION_FAILED';
  return 'INTERNAL_ERROR';
}

/** The usage event of a finished request, or null when there is none to record. */
export function usageEventOf(request: FastifyRequest, reply: FastifyReply): UsageEvent | null {
  const metered = request as FastifyRequest & MeteredRequest;
  if (metered.meter === false) return null;
  const principal = metered.user;
  if (!principal && !metered.usage) return null; // unauthenticated: nobody to bill
  const status = reply.statusCode;
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  const latencyMs = Math.round(reply.elapsedTime * 100) / 100;
  const now = Date.now();
  if (metered.usage && status < 400) {
    return { id: newId('event', now), timestamp: new Date(now).toISOString(), route, status, latencyMs, ...metered.usage };
  }
  const p = principal as Principal;
  return {
    id: newId('event', now),
    timestamp: new Date(now).toISOString(),
    workspaceId: p.workspaceId,
    appId: p.appId,
    keyId: p.keyId,
    kind: 'request',
    route,
    scope: null,
    model: null,
    outcome: outcomeOf(status, metered.errorCode),
    status,
    ip: request.ip ?? null,
    units: 0,
    costMicros: 0,
    latencyMs,
    requestId: String(request.id),
  };
}
