import { type DynamicModule, Module } from '@nestjs/common';
import type { WorkerConfig } from '../config/worker-config';
import { KEY_EXPIRY_CONFIG, KeyExpiryService } from './key-expiry.service';

/** The scheduled `key.expiring` producer. */
@Module({})
export class KeyExpiryModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: KeyExpiryModule,
      providers: [{ provide: KEY_EXPIRY_CONFIG, useValue: config.keyExpiry }, KeyExpiryService],
    };
  }
}
