import { Global, Module } from '@nestjs/common';
import { CanaryAlarm } from '../canaries/canary-alarm.service';
import { KeyCacheService } from './key-cache.service';
import { KeyMaterialService } from './key-material.service';
import { KeyResolverService } from './key-resolver.service';

@Global()
@Module({
  providers: [KeyMaterialService, KeyCacheService, KeyResolverService, CanaryAlarm],
  exports: [KeyMaterialService, KeyCacheService, KeyResolverService, CanaryAlarm],
})
export class CredentialsModule {}
