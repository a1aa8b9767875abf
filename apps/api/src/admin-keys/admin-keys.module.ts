import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AdminKeysController } from './admin-keys.controller';
import { AdminKeysService } from './admin-keys.service';

@Module({ imports: [KeysModule, SessionsModule], controllers: [AdminKeysController], providers: [AdminKeysService] })
export class AdminKeysModule {}
