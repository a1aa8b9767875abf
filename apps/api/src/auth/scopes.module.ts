import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScopesGuard } from './scopes.guard';

/** Authorization: the last global guard, the caller's scopes against the handler's declaration. */
@Module({ providers: [{ provide: APP_GUARD, useClass: ScopesGuard }] })
export class ScopesModule {}
