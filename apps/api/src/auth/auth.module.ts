import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { SessionsModule } from '../sessions/sessions.module';
import { AccessDeclarationsCheck } from './access-declarations.check';
import { KeyAuthenticator } from './key-authenticator.service';
import { KeyAuthGuard } from './key-auth.guard';

/**
 * Authentication: the first global guard, every route needs a valid key (or a browser
 * session standing for one) unless it is @Public().
 */
@Module({
  imports: [DiscoveryModule, SessionsModule],
  providers: [KeyAuthenticator, AccessDeclarationsCheck, { provide: APP_GUARD, useClass: KeyAuthGuard }],
  exports: [KeyAuthenticator],
})
export class AuthModule {}
