import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { CustomersModule } from '../customers/customers.module';
import { KeyStore } from './key-store.service';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';

@Module({
  imports: [AppsModule, CustomersModule],
  controllers: [KeysController],
  providers: [KeysService, KeyStore],
  exports: [KeyStore, KeysService],
})
export class KeysModule {}
