import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Me } from '@keywarden/core';
import { AnyValidKey } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { iso } from '../common/dates';
import type { Actor } from '../credentials/principal';

@ApiTags('me')
@Controller('v1/me')
export class MeController {
  /** Tests the calling key: who it is and what it may do. */
  @Get()
  @AnyValidKey()
  me(@CurrentActor() { principal }: Actor): Me {
    return {
      keyId: principal.keyId,
      kind: principal.kind,
      workspaceId: principal.workspaceId,
      name: principal.name,
      prefix: principal.prefix,
      scopes: principal.scopes,
      appIds: principal.kind === 'app' ? [principal.appId as string] : principal.appIds,
      environment: principal.environment,
      expiresAt: iso(principal.expiresAt),
    };
  }
}
