import { Module } from '@nestjs/common';
import { ConsoleSessionsController } from './console-sessions.controller';
import { SessionAuthenticator } from './session-authenticator.service';
import { SessionStore } from './session-store.service';

/** Browser sessions (console and portal): cookie in, principal out. */
@Module({
  controllers: [ConsoleSessionsController],
  providers: [SessionStore, SessionAuthenticator],
  exports: [SessionStore, SessionAuthenticator],
})
export class SessionsModule {}
