import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AccessLogEntry, Page, ReportUsageResponse, UsageResponse } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import type { Actor } from '../credentials/principal';
import { ReportUsageDto } from './dto/report-usage.dto';
import { ListKeyRequestsQueryDto, UsageQueryDto } from './dto/usage-query.dto';
import { UsageService } from './usage.service';

@ApiTags('usage')
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** Usage known after the fact (tokens, cost). Counted once per requestId. */
  @Post()
  @HttpCode(202)
  @RequireScopes('usage.write')
  report(@CurrentActor() actor: Actor, @Body() dto: ReportUsageDto): Promise<ReportUsageResponse> {
    return this.usage.report(actor, dto);
  }

  /** Totals and a time series of an app, a key or a customer, from the rollups. */
  @Get()
  @RequireScopes('usage.read')
  // OpenAPI cannot require one of several query parameters: the rule is stated in words.
  @ApiOperation({
    description: 'Give exactly one of the query parameters `appId`, `keyId` and `customerId`: none, or more than one, is refused (400 VALIDATION_FAILED).',
  })
  query(@CurrentActor() actor: Actor, @Query() query: UsageQueryDto): Promise<UsageResponse> {
    return this.usage.query(actor, query);
  }
}

@ApiTags('usage')
@Controller('v1/keys')
export class KeyRequestsController {
  constructor(private readonly usage: UsageService) {}

  /** The key's access log, newest first. */
  @Get(':id/requests')
  @RequireScopes('usage.read')
  requests(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseIdPipe('key')) id: string,
    @Query() query: ListKeyRequestsQueryDto,
  ): Promise<Page<AccessLogEntry>> {
    return this.usage.requests(actor, id, query);
  }
}
