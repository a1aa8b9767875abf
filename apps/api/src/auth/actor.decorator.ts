import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor, Principal } from '../credentials/principal';

/** The calling key plus the request's IP and id, for authorization and the audit log. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
  return { principal: request.user, ip: request.ip, requestId: String(request.id) };
});
