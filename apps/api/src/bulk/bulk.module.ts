import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { BulkKeysController } from './bulk-keys.controller';
import { BulkKeysService } from './bulk-keys.service';

@Module({
  imports: [KeysModule],
  controllers: [BulkKeysController],
  providers: [BulkKeysService],
  exports: [BulkKeysService],
})
export class BulkModule {}
