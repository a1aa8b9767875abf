import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_KEY_REQUIRED_MESSAGE } from '@keywarden/core';
import { ApiError } from '../common/api-error';
import type { Principal } from '../credentials/principal';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import type { FastifyRequest } from 'fastify';
import { SessionAuthenticator } from '../sessions/session-authenticator.service';
import { BEARER_STRATEGY, X_API_KEY_STRATEGY } from './api-key.strategies';

/**
 * Global: every route needs a valid key unless it is declared @Public(). A browser
 * session stands for the key behind it, so the scope guard decides the same way.
 */
@Injectable()
export class KeyAuthGuard extends AuthGuard([BEARER_STRATEGY, X_API_KEY_STRATEGY]) {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionAuthenticator,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const sessionPrincipal = await this.sessions.authenticate(request);
    if (sessionPrincipal) {
      request.user = sessionPrincipal;
      return true;
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = Principal>(error: unknown, principal: TUser | false): TUser {
    if (error) throw error;
    if (!principal) throw new ApiError('UNAUTHORIZED', API_KEY_REQUIRED_MESSAGE);
    return principal;
  }
}
