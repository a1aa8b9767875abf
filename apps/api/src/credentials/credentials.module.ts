import { Global, Module } from '@nestjs/common';
import { KeyCacheService } from './key-cache.service';
import { KeyMaterialService } from './key-material.service';
import { KeyResolverService } from './key-resolver.service';

@Global()
@Module({
  providers: [KeyMaterialService, KeyCacheService, KeyResolverService],
  exports: [KeyMaterialService, KeyCacheService, KeyResolverService],
})
export class CredentialsModule {}
