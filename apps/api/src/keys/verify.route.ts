import { VERIFY_KEY_REQUEST_SCHEMA, VERIFY_KEY_RESPONSE_SCHEMA, type VerifyKeyRequest, type VerifyKeyResponse } from '@keywarden/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator.service';
import { assertScopes } from '../auth/scopes.guard';
import { sendError } from '../common/error.filter';
import type { Principal } from '../credentials/principal';
import { MetricsService } from '../metrics/metrics.service';
import { admitCaller, type SetHeader } from '../policy/key-policy.guard';
import { PolicyService } from '../policy/policy.service';
import { METERED_AS_VERIFY } from '../usage/request-metering';
import { KeysService } from './keys.service';

export const VERIFY_ROUTE = '/v1/keys/verify';
/** What a caller needs to verify keys, decided by the same rule as every Nest route's declaration. */
export const VERIFY_SCOPES = ['keys.verify'] as const;

/** The verify request as its hooks see it: the caller, then the answer's code (for the request log). */
export type VerifyRequest = FastifyRequest<{ Body: VerifyKeyRequest }> & { user?: Principal; verifyCode?: string };

export interface VerifyRouteServices {
  authenticator: KeyAuthenticator;
  policy: PolicyService;
  keys: KeysService;
  metrics: MetricsService;
}

/**
 * What verify asks of an authenticated caller, on the route and on its fast path: its
 * policy (IP allowlist, rate limit and X-RateLimit-* headers), then the `keys.verify` scope.
 */
export function admitVerifyCaller(services: VerifyRouteServices, principal: Principal, ip: string, setHeader: SetHeader): void | Promise<void> {
  const admitted = admitCaller(services.policy, principal, ip, setHeader);
  if (admitted instanceof Promise) return admitted.then(() => assertScopes(principal, VERIFY_SCOPES));
  assertScopes(principal, VERIFY_SCOPES);
}

/**
 * `POST /v1/keys/verify` as a plain Fastify route beside Nest, on the same instance and
 * with the same services: verify runs on every request of every integrator, and Nest's
 * per-request layers (router, execution context, guards, pipes) cost more than the
 * verify itself. It does what the Nest pipeline did for it, in the same order and with
 * the same code: the global hooks (request id, repeated credentials, body guard, metering,
 * request log), authentication (`KeyAuthenticator`, the same cache as the verified keys),
 * the caller's policy and rate-limit headers (`admitCaller`), its scopes
 * (`assertScopes`), then the compiled body schema and `KeysService.verify`. The answer is
 * written by the compiled response serializer; errors by the same envelope as Nest's.
 * Most verifies never reach it: `VerifyFastPath` answers them before Fastify does.
 */
export function registerVerifyRoute(fastify: FastifyInstance, services: VerifyRouteServices): void {
  fastify.route<{ Body: VerifyKeyRequest }>({
    method: 'POST',
    url: VERIFY_ROUTE,
    schema: { body: VERIFY_KEY_REQUEST_SCHEMA, response: { 200: VERIFY_KEY_RESPONSE_SCHEMA } },
    config: METERED_AS_VERIFY,
    errorHandler: (error, request, reply) => {
      services.metrics.verifies.inc({ code: sendError(error, request, reply) });
    },
    // The caller first, as Nest's guards come before its pipes: a caller without a valid
    // key learns nothing of the body's rules, and a refused body still carries the
    // caller's X-RateLimit-* headers.
    preValidation: async (request: VerifyRequest, reply: FastifyReply): Promise<void> => {
      const principal = await services.authenticator.authenticate(request);
      request.user = principal;
      await admitVerifyCaller(services, principal, request.ip, (name, value) => void reply.header(name, value));
    },
    handler: async (request: VerifyRequest): Promise<VerifyKeyResponse> => {
      const answer = await services.keys.verify(request.user as Principal, request.body);
      request.verifyCode = answer.code;
      services.metrics.verifies.inc({ code: answer.code });
      return answer;
    },
  });
}

/** The route's OpenAPI entry: Swagger documents Nest's controllers, and this route is not one. */
export const VERIFY_OPENAPI_PATH: OpenAPIObject['paths'][string] = {
  post: {
    tags: ['keys'],
    operationId: 'KeysVerify_verify',
    summary: 'Is this key valid (for this scope)?',
    description:
      'An invalid key is still a 200 with `valid: false` and a code. Needs the `keys.verify` scope. Every call is one usage event, billed to the verified key.',
    requestBody: { required: true, content: { 'application/json': { schema: VERIFY_KEY_REQUEST_SCHEMA as object } } },
    responses: {
      '200': { description: 'The answer', content: { 'application/json': { schema: VERIFY_KEY_RESPONSE_SCHEMA as object } } },
    },
  },
};
