import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessDeclarationsCheck } from './access-declarations.check';
import { BearerKeyStrategy, XApiKeyStrategy } from './api-key.strategies';
import { KeyAuthGuard } from './key-auth.guard';

/** Authentication: the first global guard, every route needs a valid key unless @Public(). */
@Module({
  imports: [PassportModule, DiscoveryModule],
  providers: [BearerKeyStrategy, XApiKeyStrategy, AccessDeclarationsCheck, { provide: APP_GUARD, useClass: KeyAuthGuard }],
})
export class AuthModule {}
