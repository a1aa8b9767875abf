import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessDeclarationsCheck } from './access-declarations.check';
import { BearerKeyStrategy, XApiKeyStrategy } from './api-key.strategies';
import { KeyPolicyGuard } from '../policy/key-policy.guard';
import { SessionsModule } from '../sessions/sessions.module';
import { KeyAuthGuard } from './key-auth.guard';
import { ScopesGuard } from './scopes.guard';

@Module({
  imports: [PassportModule, DiscoveryModule, SessionsModule],
  providers: [
    BearerKeyStrategy,
    XApiKeyStrategy,
    AccessDeclarationsCheck,
    // Order matters: authenticate first, then the key's policy (IPs, rate), then scopes.
    { provide: APP_GUARD, useClass: KeyAuthGuard },
    { provide: APP_GUARD, useExisting: KeyPolicyGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
  ],
})
export class AuthModule {}
