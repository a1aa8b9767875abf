import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AdminKeysController } from './admin-keys.controller';
import { AdminKeysService } from './admin-keys.service';

@Module({ imports: [KeysModule], controllers: [AdminKeysController], providers: [AdminKeysService] })
export class AdminKeysModule {}
