import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../credentials/principal';
import { KeyAuthenticator } from './key-authenticator.service';

/**
 * Global: every route needs a valid key unless it is declared @Public(). A browser
 * session stands for the key behind it, so the scope guard decides the same way.
 */
@Injectable()
export class KeyAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: KeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    request.user = await this.authenticator.authenticate(request);
    return true;
  }
}
