import type { FastifyInstance } from 'fastify';
import { ApiError } from '../common/api-error';
import { errorResponse } from '../common/error-response';
import type { TransportConfig } from '../config/api-config';

/** Probes of the orchestrator reach the instance directly, over plain HTTP. */
const PLAIN_HTTP_ALLOWED = new Set(['/health/live', '/health/ready']);

/**
 * KW_REQUIRE_HTTPS=true: every response carries HSTS, and a request that did not come over
 * HTTPS is refused with 403 HTTPS_REQUIRED before anything else looks at it. Whether it
 * did is Fastify's `request.protocol`: the connection itself, or `X-Forwarded-Proto` only
 * when KW_TRUST_PROXY=true (otherwise anyone could claim it).
 */
export function installTransportSecurity(fastify: FastifyInstance, config: TransportConfig): void {
  if (!config.requireHttps) return;
  const hsts = `max-age=${config.hstsMaxAgeSeconds}; includeSubDomains`;
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('strict-transport-security', hsts);
    if (request.protocol === 'https' || PLAIN_HTTP_ALLOWED.has(request.url)) return;
    const { status, body } = errorResponse(new ApiError('HTTPS_REQUIRED'), String(request.id));
    void reply.code(status).header('x-request-id', request.id).send(body);
    return reply;
  });
}
