import { type CustomerPolicy, MAX_CONCURRENCY } from '@keywarden/core';
import { ValidateIf } from 'class-validator';
import { IsDailySpendLimit, PositiveLimit, RateLimitsDto } from '../../policy/dto/key-policy.dto';
import { NestedObject } from '../../common/validators';

/** Optional fields may be left out, but not sent as null. */
const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

/** Limits shared by all keys of a customer. */
export class CustomerPolicyDto implements CustomerPolicy {
  @ValidateIf(isPresent)
  @NestedObject(() => RateLimitsDto)
  rateLimits?: RateLimitsDto;

  /** Requests of all the customer's keys in flight at once. */
  @PositiveLimit(MAX_CONCURRENCY)
  concurrency?: number;

  /** Decimal amount per UTC day over all the customer's keys, at most 6 decimals. */
  @IsDailySpendLimit()
  dailySpendLimit?: number;
}
