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

/** A DNS label as the URL parser leaves it (lower-cased, punycode): 1-63 letters, digits, hyphens or underscores. */
const HOST_LABEL = /^[a-z0-9_-]{1,63}$/;

/**
 * A host name that DNS could ever answer for: labels of 1-63 characters (no empty label, as
 * in `a..b`), 253 characters in all; one trailing dot (a fully qualified name) is fine. An IP
 * literal is left to the parser. Such a URL was accepted and then failed every delivery.
 */
function isResolvableHostName(hostname: string): boolean {
  if (hostname.startsWith('[') || /^[0-9.]+$/.test(hostname)) return true;
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label));
}

function isWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_WEBHOOK_URL_LENGTH || UNWRITTEN_URL_CHARACTERS.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // Port 0 cannot be connected to.
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.hostname !== '' &&
    isResolvableHostName(url.hostname) &&
    url.username === '' &&
    url.password === '' &&
    url.port !== '0'
  );
}

/** An absolute http(s) URL without credentials; where it points is checked at delivery time (SSRF guard). */
export const IsWebhookUrl = () =>
  ValidateBy({
    name: 'isWebhookUrl',
    validator: {
      validate: isWebhookUrl,
      defaultMessage: () =>
        `must be an absolute http(s) URL of at most ${MAX_WEBHOOK_URL_LENGTH} characters to a valid host name (no empty label, labels of at most 63 characters), without user or password, spaces, control characters or backslashes, and not to port 0`,
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
