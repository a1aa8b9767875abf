import type { FastifyInstance } from 'fastify';
import { ApiError } from '../common/api-error';
import { errorResponse } from '../common/error-response';
import type { TransportConfig } from '../config/api-config';

/** Probes of the orchestrator reach the instance directly, over plain HTTP. */
const PLAIN_HTTP_ALLOWED = new Set(['/health/live', '/health/ready']);

/** The Strict-Transport-Security every answer carries when HTTPS is required; null when it is not. */
export function hstsOf(config: TransportConfig): string | null {
  return config.requireHttps ? `max-age=${config.hstsMaxAgeSeconds}; includeSubDomains` : null;
}

/**
 * KW_REQUIRE_HTTPS=true: every response carries HSTS, and a request that did not come over
 * HTTPS is refused with 403 HTTPS_REQUIRED before anything else looks at it. Whether it
 * did is Fastify's `request.protocol`: the connection itself, or `X-Forwarded-Proto` only
 * when KW_TRUST_PROXY=true (otherwise anyone could claim it).
 */
export function installTransportSecurity(fastify: FastifyInstance, config: TransportConfig): void {
  const hsts = hstsOf(config);
  if (hsts === null) return;
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('strict-transport-security', hsts);
    if (request.protocol === 'https' || PLAIN_HTTP_ALLOWED.has(request.url)) return;
    const { status, body } = errorResponse(new ApiError('HTTPS_REQUIRED'), String(request.id));
    void reply.code(status).header('x-request-id', request.id).send(body);
    return reply;
  });
}
