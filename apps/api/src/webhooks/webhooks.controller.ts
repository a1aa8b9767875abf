import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Page, WebhookDelivery, WebhookEndpoint, WithWebhookSecret } from '@keywarden/core';
import { RequireScopes } from '@keywarden/platform';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import type { Actor } from '../credentials/principal';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ListDeliveriesQueryDto, ListWebhooksQueryDto } from './dto/list-webhooks-query.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhooksService } from './webhooks.service';

const EndpointId = () => Param('id', new ParseIdPipe('webhookEndpoint'));
const DeliveryId = () => Param('did', new ParseIdPipe('webhookDelivery'));

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Registers an endpoint; `secret` (whsec_…) is in this response only. */
  @Post()
  @RequireScopes('webhooks.write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateWebhookDto): Promise<WebhookEndpoint & WithWebhookSecret> {
    return this.webhooks.create(actor, dto);
  }

  @Get()
  @RequireScopes('webhooks.read')
  list(@CurrentActor() actor: Actor, @Query() query: ListWebhooksQueryDto): Promise<Page<WebhookEndpoint>> {
    return this.webhooks.list(actor, query);
  }

  @Get(':id')
  @RequireScopes('webhooks.read')
  get(@CurrentActor() actor: Actor, @EndpointId() id: string): Promise<WebhookEndpoint> {
    return this.webhooks.get(actor, id);
  }

  @Patch(':id')
  @RequireScopes('webhooks.write')
  update(@CurrentActor() actor: Actor, @EndpointId() id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookEndpoint> {
    return this.webhooks.update(actor, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('webhooks.write')
  delete(@CurrentActor() actor: Actor, @EndpointId() id: string): Promise<void> {
    return this.webhooks.delete(actor, id);
  }

  /** New secret (shown once); deliveries are signed with both for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScopes('webhooks.write')
  rotateSecret(@CurrentActor() actor: Actor, @EndpointId() id: string): Promise<WebhookEndpoint & WithWebhookSecret> {
    return this.webhooks.rotateSecret(actor, id);
  }

  /** Sends a `webhook.test` event to this endpoint only; answers its delivery. */
  @Post(':id/test')
  @HttpCode(202)
  @RequireScopes('webhooks.write')
  test(@CurrentActor() actor: Actor, @EndpointId() id: string): Promise<WebhookDelivery> {
    return this.webhooks.sendTest(actor, id);
  }

  /** Deliveries to this endpoint, newest first, each with its attempts. */
  @Get(':id/deliveries')
  @RequireScopes('webhooks.read')
  deliveries(
    @CurrentActor() actor: Actor,
    @EndpointId() id: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDelivery>> {
    return this.webhooks.deliveries(actor, id, query);
  }

  /** One more attempt now, whatever the delivery's state, with a fresh retry schedule. */
  @Post(':id/deliveries/:did/redeliver')
  @HttpCode(202)
  @RequireScopes('webhooks.write')
  redeliver(@CurrentActor() actor: Actor, @EndpointId() id: string, @DeliveryId() deliveryId: string): Promise<WebhookDelivery> {
    return this.webhooks.redeliver(actor, id, deliveryId);
  }
}
