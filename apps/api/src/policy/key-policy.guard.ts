import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { retryAfterSeconds } from '@keywarden/core';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';
import type { Principal } from '../credentials/principal';
import { type PolicyOutcome, PolicyService } from './policy.service';

/** Sets a header on the answer being built (a Fastify reply's, or Node's response on the verify fast path). */
export type SetHeader = (name: string, value: string | number) => void;

/**
 * The calling key's IP allowlist and rate limits on Keywarden's own API. Sets
 * X-RateLimit-* on the answer, so the answer carries them whatever the handler does next;
 * throws IP_NOT_ALLOWED or RATE_LIMITED (with Retry-After). The Nest guard below and the
 * verify route and its fast path (outside Nest) admit callers with it.
 */
export function admitCaller(policy: PolicyService, principal: Principal, ip: string, setHeader: SetHeader): void | Promise<void> {
  const outcome = policy.admitManagement(principal, ip);
  // At once when the policy answers at once, as it does for a local rate limit: the verify fast path awaits nothing then.
  if (outcome instanceof Promise) return outcome.then((settled) => applyCallerOutcome(settled, setHeader));
  applyCallerOutcome(outcome, setHeader);
}

function applyCallerOutcome(outcome: PolicyOutcome, setHeader: SetHeader): void {
  if (outcome.ratelimit) {
    setHeader('x-ratelimit-limit', outcome.ratelimit.limit);
    setHeader('x-ratelimit-remaining', outcome.ratelimit.remaining);
    setHeader('x-ratelimit-reset', outcome.ratelimit.reset);
  }
  if (outcome.code === 'IP_NOT_ALLOWED') throw new ApiError('IP_NOT_ALLOWED');
  if (outcome.code === 'RATE_LIMITED') {
    setHeader('retry-after', retryAfterSeconds(outcome.code, outcome.ratelimit, Date.now()));
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
    const reply = http.getResponse<FastifyReply>();
    await admitCaller(this.policy, request.user, request.ip, (name, value) => void reply.header(name, value));
    return true;
  }
}
