import {
  type AdminKeyPolicy,
  CIDR_FORMAT_MESSAGE,
  isCidr,
  isModelGlob,
  type KeyPolicy,
  MAX_CONCURRENCY,
  MAX_POLICY_LIST_ENTRIES,
  MAX_RATE_LIMIT,
  MAX_ROTATION_PERIOD_DAYS,
  MODEL_GLOB_MESSAGE,
  type Plan,
  PLANS,
  type RateLimits,
  rateLimitContradiction,
} from '@keywarden/core';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';
import { IsAmount, IsInteger, NestedObject } from '../../common/validators';

/** Optional fields may be left out, but not sent as null. */
const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

export const PositiveLimit = (max: number) => applyDecorators(ValidateIf(isPresent), IsInteger({ message: 'must be a positive integer' }), Min(1, { message: 'must be a positive integer' }), Max(max));

const IsCidrList = () =>
  applyDecorators(
    ValidateIf(isPresent),
    IsArray(),
    ArrayMaxSize(MAX_POLICY_LIST_ENTRIES),
    ValidateBy({ name: 'isCidr', validator: { validate: isCidr, defaultMessage: () => CIDR_FORMAT_MESSAGE } }, { each: true }),
  );

/** A daily spend cap: an amount (optional, not null). */
export const IsDailySpendLimit = () => applyDecorators(ValidateIf(isPresent), IsAmount());

/** A window's limit may not exceed a longer window's set beside it (key, admin key, app and customer policies alike). */
const NotAboveLongerWindows = (field: keyof RateLimits) =>
  ValidateBy({
    name: 'notAboveLongerWindows',
    validator: {
      validate: (_value, args) => rateLimitContradiction(args?.object as RateLimits, field) === null,
      defaultMessage: (args) => rateLimitContradiction(args?.object as RateLimits, field) ?? '',
    },
  });

export class RateLimitsDto implements ExactContract<RateLimitsDto, RateLimits> {
  @PositiveLimit(MAX_RATE_LIMIT)
  @NotAboveLongerWindows('perMinute')
  perMinute?: number;

  @PositiveLimit(MAX_RATE_LIMIT)
  @NotAboveLongerWindows('perHour')
  perHour?: number;

  @PositiveLimit(MAX_RATE_LIMIT)
  perDay?: number;

  /** Requests allowed within any one second. */
  @PositiveLimit(MAX_RATE_LIMIT)
  @NotAboveLongerWindows('burst')
  burst?: number;
}

/** What admin keys and app keys share: rate, IPs, rotation. */
export class AdminKeyPolicyDto implements ExactContract<AdminKeyPolicyDto, AdminKeyPolicy> {
  /** free (10/h, 100/day, 1 concurrent), starter (50/h, 500/day, 3), pro (200/h, 2000/day, 10), enterprise (custom). */
  @ValidateIf(isPresent)
  @IsIn(PLANS)
  plan?: Plan;

  @ValidateIf(isPresent)
  @NestedObject(() => RateLimitsDto)
  rateLimits?: RateLimitsDto;

  /** IPv4/IPv6 addresses or CIDRs; a bare address is a single host. */
  @IsCidrList()
  ipAllowlist?: string[];

  /** The current secret stops working this many days after it was issued. */
  @PositiveLimit(MAX_ROTATION_PERIOD_DAYS)
  rotationPeriodDays?: number;
}

export class KeyPolicyDto extends AdminKeyPolicyDto implements ExactContract<KeyPolicyDto, KeyPolicy> {
  /** Requests in flight at once (verify hands out leases). */
  @PositiveLimit(MAX_CONCURRENCY)
  concurrency?: number;

  /** Model names or globs (`*` any run of characters, `?` one). */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(MAX_POLICY_LIST_ENTRIES)
  @ArrayUnique()
  @ValidateBy({ name: 'isModelGlob', validator: { validate: isModelGlob, defaultMessage: () => MODEL_GLOB_MESSAGE } }, { each: true })
  allowedModels?: string[];

  /** Decimal amount of the workspace currency per UTC day, at most 6 decimals. */
  @IsDailySpendLimit()
  dailySpendLimit?: number;
}
