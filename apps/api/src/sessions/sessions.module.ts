import { Module } from '@nestjs/common';
import { SessionAuthenticator } from './session-authenticator.service';
import { SessionStore } from './session-store.service';

/** Browser sessions (console and portal): cookie in, principal out. */
@Module({
  providers: [SessionStore, SessionAuthenticator],
  exports: [SessionStore, SessionAuthenticator],
})
export class SessionsModule {}
