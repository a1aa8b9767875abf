import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Alert, Page } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import type { Actor } from '../credentials/principal';
import { AlertsService } from './alerts.service';
import { ListAlertsQueryDto } from './dto/list-alerts-query.dto';

const AlertId = () => Param('id', new ParseIdPipe('alert'));

@ApiTags('alerts')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Newest first. */
  @Get()
  @RequireScopes('alerts.read')
  list(@CurrentActor() actor: Actor, @Query() query: ListAlertsQueryDto): Promise<Page<Alert>> {
    return this.alerts.list(actor, query);
  }

  @Get(':id')
  @RequireScopes('alerts.read')
  get(@CurrentActor() actor: Actor, @AlertId() id: string): Promise<Alert> {
    return this.alerts.get(actor, id);
  }

  /** Idempotent; 409 once the alert is resolved. */
  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequireScopes('alerts.write')
  acknowledge(@CurrentActor() actor: Actor, @AlertId() id: string): Promise<Alert> {
    return this.alerts.acknowledge(actor, id);
  }

  /** Idempotent; sends `alert.resolved` the first time, and releases the key it contained. */
  @Post(':id/resolve')
  @HttpCode(200)
  @RequireScopes('alerts.write')
  resolve(@CurrentActor() actor: Actor, @AlertId() id: string): Promise<Alert> {
    return this.alerts.resolve(actor, id);
  }

  /** Ends the containment the alert put on its key; the alert stays open. Idempotent. */
  @Post(':id/lift')
  @HttpCode(200)
  @RequireScopes('alerts.write')
  lift(@CurrentActor() actor: Actor, @AlertId() id: string): Promise<Alert> {
    return this.alerts.lift(actor, id);
  }
}
