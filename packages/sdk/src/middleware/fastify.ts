import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { KeywardenGate } from './gate';
import type { KeywardenMiddlewareOptions, KeywardenRequest } from './types';

/** The parts of `FastifyRequest` the hook uses. */
export interface FastifyLikeRequest extends KeywardenRequest {
  headers: IncomingHttpHeaders;
  /** Fastify's client IP (honours `trustProxy`). */
  ip: string;
}

/** The parts of `FastifyReply` the hook uses. */
export interface FastifyLikeReply {
  raw: ServerResponse;
  header(name: string, value: string): unknown;
  code(status: number): unknown;
  send(payload: unknown): unknown;
}

/**
 * A Fastify `preHandler` hook (the body is parsed by then, for model/units/cost
 * callbacks): `app.addHook('preHandler', keywardenFastify(options))` for every route of
 * that encapsulation context, or `{ preHandler: keywardenFastify(options) }` on one route.
 */
export function keywardenFastify<Req extends FastifyLikeRequest = FastifyLikeRequest>(options: KeywardenMiddlewareOptions<Req>) {
  const gate = new KeywardenGate(options);
  return async function keywardenPreHandler(request: Req, reply: FastifyLikeReply): Promise<unknown> {
    const decision = await gate.decide(request, { headers: request.headers, ip: request.ip });
    for (const [name, value] of Object.entries(decision.headers)) reply.header(name, value);
    if (!decision.allow) {
      reply.code(decision.status);
      reply.send(decision.body);
      return reply; // tells Fastify the hook answered: the handler does not run
    }
    request.keywarden = decision.identity;
    if (decision.leaseId) gate.holdLease(reply.raw, decision.leaseId);
    return undefined;
  };
}
