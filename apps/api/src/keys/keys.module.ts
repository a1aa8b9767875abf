import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { PolicyModule } from '../policy/policy.module';
import { CustomersModule } from '../customers/customers.module';
import { KeyLifecycle } from './key-lifecycle.service';
import { KeyStore } from './key-store.service';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';

@Module({
  imports: [AppsModule, PolicyModule, CustomersModule],
  controllers: [KeysController],
  providers: [KeysService, KeyStore, KeyLifecycle],
  exports: [KeyStore, KeyLifecycle, KeysService],
})
export class KeysModule {}
