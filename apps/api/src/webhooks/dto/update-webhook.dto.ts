import { MAX_WEBHOOK_DESCRIPTION_LENGTH, type UpdateWebhookRequest, type WebhookEventType } from '@keywarden/core';
import { IsBoolean, IsString, Length, ValidateIf } from 'class-validator';
import { IsEventTypes, IsWebhookUrl } from './create-webhook.dto';
import type { ExactContract } from '../../common/exact-contract';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

/** Omitted fields stay; `null` clears the description and is refused elsewhere. */
export class UpdateWebhookDto implements ExactContract<UpdateWebhookDto, UpdateWebhookRequest> {
  @ValidateIf(isPresent)
  @IsWebhookUrl()
  url?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(0, MAX_WEBHOOK_DESCRIPTION_LENGTH)
  description?: string | null;

  @ValidateIf(isPresent)
  @IsEventTypes()
  eventTypes?: WebhookEventType[];

  /** false disables the endpoint (reason `manual`); true re-enables it and clears its failure state. */
  @ValidateIf(isPresent)
  @IsBoolean()
  enabled?: boolean;
}
