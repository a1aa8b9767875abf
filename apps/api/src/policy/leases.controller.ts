import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ReleaseLeaseResponse } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import type { Actor } from '../credentials/principal';
import { LeaseService } from './lease.service';

@ApiTags('keys')
@Controller('v1/keys/leases')
export class LeasesController {
  constructor(private readonly leases: LeaseService) {}

  /** Frees a concurrency lease handed out by verify (unreleased leases expire on their own). */
  @Post(':leaseId/release')
  @HttpCode(200)
  @RequireScopes('keys.verify')
  async release(@CurrentActor() actor: Actor, @Param('leaseId', new ParseIdPipe('lease')) leaseId: string): Promise<ReleaseLeaseResponse> {
    return { released: await this.leases.release(actor.principal, leaseId) };
  }
}
