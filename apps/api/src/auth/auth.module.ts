import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { SessionsModule } from '../sessions/sessions.module';
import { AccessDeclarationsCheck } from './access-declarations.check';
import { BearerKeyStrategy, XApiKeyStrategy } from './api-key.strategies';
import { KeyAuthGuard } from './key-auth.guard';

/**
 * Authentication: the first global guard, every route needs a valid key (or a browser
 * session standing for one) unless it is @Public().
 */
@Module({
  imports: [PassportModule, DiscoveryModule, SessionsModule],
  providers: [BearerKeyStrategy, XApiKeyStrategy, AccessDeclarationsCheck, { provide: APP_GUARD, useClass: KeyAuthGuard }],
})
export class AuthModule {}
