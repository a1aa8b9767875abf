import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ConsoleSessionsController } from './console-sessions.controller';

/** Signing in to the console with an admin key, and out again. */
@Module({
  imports: [SessionsModule, PolicyModule],
  controllers: [ConsoleSessionsController],
})
export class ConsoleSessionsModule {}
