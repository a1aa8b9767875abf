import {
  type ListDeliveriesQuery,
  type ListWebhooksQuery,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from '@keywarden/core';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { ExactContract } from '../../common/exact-contract';

export class ListWebhooksQueryDto extends PageQueryDto implements ExactContract<ListWebhooksQueryDto, ListWebhooksQuery> {
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;
}

export class ListDeliveriesQueryDto extends PageQueryDto implements ExactContract<ListDeliveriesQueryDto, ListDeliveriesQuery> {
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}
