import {
  type ListDeliveriesQuery,
  type ListWebhooksQuery,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from '@keywarden/core';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { pageQueryOf } from '../../common/page-query.dto';
import type { ExactContract } from '../../common/exact-contract';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';

export class ListWebhooksQueryDto extends pageQueryOf('webhookEndpoint') implements ExactContract<ListWebhooksQueryDto, ListWebhooksQuery> {
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListDeliveriesQueryDto extends pageQueryOf('webhookDelivery') implements ExactContract<ListDeliveriesQueryDto, ListDeliveriesQuery> {
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}
