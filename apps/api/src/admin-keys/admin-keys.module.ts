import { Module } from '@nestjs/common';
import { BulkModule } from '../bulk/bulk.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AdminKeysController } from './admin-keys.controller';
import { AdminKeysService } from './admin-keys.service';

@Module({ imports: [KeysModule, BulkModule, SessionsModule], controllers: [AdminKeysController], providers: [AdminKeysService] })
export class AdminKeysModule {}
