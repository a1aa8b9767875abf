import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hasScope } from '@keywarden/core';
import { ApiError } from '../common/api-error';
import type { Principal } from '../credentials/principal';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';

/**
 * The one rule for whether a caller's scopes allow a route: every scope the route
 * declares, or INSUFFICIENT_PERMISSIONS naming the first one missing. The Nest guard
 * below and the verify route (outside Nest) both decide with it.
 */
export function assertScopes(principal: Principal, required: readonly string[]): void {
  const missing = required.find((scope) => !hasScope(principal.scopes, scope));
  if (missing) throw new ApiError('INSUFFICIENT_PERMISSIONS', `API key lacks the required scope: ${missing}`);
}

/** Applies `assertScopes` to the scopes a Nest handler declares. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Unreachable for routes (checked at startup), but never an open door.
    if (!rule) throw new ApiError('INSUFFICIENT_PERMISSIONS', 'Route declares no access rule');
    if (rule.kind !== 'scopes') return true;
    assertScopes(context.switchToHttp().getRequest<{ user: Principal }>().user, rule.scopes);
    return true;
  }
}
