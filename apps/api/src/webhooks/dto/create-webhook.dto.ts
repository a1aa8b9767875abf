import { applyDecorators } from '@nestjs/common';
import {
  type CreateWebhookRequest,
  MAX_WEBHOOK_DESCRIPTION_LENGTH,
  MAX_WEBHOOK_URL_LENGTH,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from '@keywarden/core';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';
import { OmittableNotNull } from '../../common/validators';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';

/**
 * Spaces, control characters and backslashes, which the URL parser would silently drop or
 * rewrite: the URL stored and shown is the one deliveries go to, as written.
 */
const UNWRITTEN_URL_CHARACTERS = /[\u0000-\u0020\u007f\\]/;

function isWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_WEBHOOK_URL_LENGTH || UNWRITTEN_URL_CHARACTERS.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Port 0 cannot be connected to.
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '' && url.port !== '0';
}

/** An absolute http(s) URL without credentials; where it points is checked at delivery time (SSRF guard). */
export const IsWebhookUrl = () =>
  ValidateBy({
    name: 'isWebhookUrl',
    validator: {
      validate: isWebhookUrl,
      defaultMessage: () =>
        `must be an absolute http(s) URL of at most ${MAX_WEBHOOK_URL_LENGTH} characters, without user or password, spaces, control characters or backslashes, and not to port 0`,
    },
  });

/** Distinct event types from the catalog; empty means every type. */
export const IsEventTypes = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(WEBHOOK_EVENT_TYPES.length),
    ArrayUnique(),
    IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each value in eventTypes must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` }),
  );

export class CreateWebhookDto implements ExactContract<CreateWebhookDto, CreateWebhookRequest> {
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId!: string;

  /** Where deliveries are POSTed. */
  @IsWebhookUrl()
  url!: string;

  @IsOptional()
  @IsString()
  @Length(0, MAX_WEBHOOK_DESCRIPTION_LENGTH)
  description?: string;

  /** Event types to deliver; omitted or empty = all. */
  @IsOptional()
  @IsEventTypes()
  eventTypes?: WebhookEventType[];

  /** Only events about this customer's keys are delivered here (`cus_…`). */
  @OmittableNotNull()
  @IsCustomerId()
  customerId?: string;
}
