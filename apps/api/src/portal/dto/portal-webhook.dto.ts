import type { WebhookEventType } from '@keywarden/core';
import { IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { IsEventTypes, IsWebhookUrl } from '../../webhooks/dto/create-webhook.dto';

/** A webhook endpoint of the customer: it receives events about the customer's keys only. */
export class PortalCreateWebhookDto {
  /** Required when the session is not limited to one app. */
  @ValidateIf((_dto: object, value: unknown) => value !== undefined)
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsWebhookUrl()
  url!: string;

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  /** Event types to deliver; omitted or empty = all. */
  @IsOptional()
  @IsEventTypes()
  eventTypes?: WebhookEventType[];
}

