import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AuditEntry, Page } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import type { Actor } from '../credentials/principal';
import { AuditService } from './audit.service';
import { ListAuditQueryDto } from './dto/list-audit-query.dto';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Management actions of the workspace (of the key's apps, for a restricted key), newest first. */
  @Get()
  @RequireScopes('audit.read')
  list(@CurrentActor() actor: Actor, @Query() query: ListAuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(actor, query);
  }
}
