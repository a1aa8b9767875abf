import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Me } from '@keywarden/core';
import { AnyValidKey } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../credentials/principal';
import { meOf } from '../credentials/me-of';

@ApiTags('me')
@Controller('v1/me')
export class MeController {
  /** Tests the calling key: who it is and what it may do. */
  @Get()
  @AnyValidKey()
  me(@CurrentActor() { principal }: Actor): Me {
    return meOf(principal);
  }
}
