import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { GithubSignatureService } from './github-signature.service';
import { LeaksController } from './leaks.controller';
import { LeaksService } from './leaks.service';

@Module({
  imports: [KeysModule, SessionsModule],
  controllers: [LeaksController],
  providers: [LeaksService, GithubSignatureService],
})
export class LeaksModule {}
