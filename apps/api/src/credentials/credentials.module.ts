import { Global, Module } from '@nestjs/common';
import { KeyCacheService } from './key-cache.service';
import { KeyMaterialService } from './key-material.service';
import { KeyResolverService } from './key-resolver.service';
import { LastUsedTracker } from './last-used.tracker';

@Global()
@Module({
  providers: [KeyMaterialService, KeyCacheService, KeyResolverService, LastUsedTracker],
  exports: [KeyMaterialService, KeyCacheService, KeyResolverService],
})
export class CredentialsModule {}
