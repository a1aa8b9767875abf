import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_KEY_REQUIRED_MESSAGE } from '@keywarden/core';
import { ApiError } from '../common/api-error';
import type { Principal } from '../credentials/principal';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import { BEARER_STRATEGY, X_API_KEY_STRATEGY } from './api-key.strategies';

/** Global: every route needs a valid key unless it is declared @Public(). */
@Injectable()
export class KeyAuthGuard extends AuthGuard([BEARER_STRATEGY, X_API_KEY_STRATEGY]) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'public') return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = Principal>(error: unknown, principal: TUser | false): TUser {
    if (error) throw error;
    if (!principal) throw new ApiError('UNAUTHORIZED', API_KEY_REQUIRED_MESSAGE);
    return principal;
  }
}
