import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { retryAfterSeconds } from '@keywarden/core';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';
import type { Principal } from '../credentials/principal';
import { PolicyService } from './policy.service';

/**
 * The calling key's IP allowlist and rate limits on Keywarden's own API. Sets
 * X-RateLimit-* on the reply, so the answer carries them whatever the handler does next;
 * throws IP_NOT_ALLOWED or RATE_LIMITED (with Retry-After). The Nest guard below and the
 * verify route (outside Nest) both admit callers with it.
 */
export async function admitCaller(policy: PolicyService, principal: Principal, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const outcome = await policy.admitManagement(principal, request.ip);
  if (outcome.ratelimit) {
    void reply
      .header('x-ratelimit-limit', outcome.ratelimit.limit)
      .header('x-ratelimit-remaining', outcome.ratelimit.remaining)
      .header('x-ratelimit-reset', outcome.ratelimit.reset);
  }
  if (outcome.code === 'IP_NOT_ALLOWED') throw new ApiError('IP_NOT_ALLOWED');
  if (outcome.code === 'RATE_LIMITED') {
    void reply.header('retry-after', retryAfterSeconds(outcome.code, outcome.ratelimit, Date.now()));
    throw new ApiError('RATE_LIMITED');
  }
}

/** Global, after authentication and before the scopes check: `admitCaller` on every non-public route. */
@Injectable()
export class KeyPolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: PolicyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    if (rule?.kind === 'public') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user: Principal }>();
    await admitCaller(this.policy, request.user, request, http.getResponse<FastifyReply>());
    return true;
  }
}
