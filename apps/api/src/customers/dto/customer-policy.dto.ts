import { type CustomerPolicy, isMicroAmount, MAX_CONCURRENCY } from '@keywarden/core';
import { Type } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { RateLimitsDto } from '../../policy/dto/key-policy.dto';

/** Optional fields may be left out, but not sent as null. */
const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;

/** Limits shared by all keys of a customer. */
export class CustomerPolicyDto implements CustomerPolicy {
  @ValidateIf(isPresent)
  @ValidateNested()
  @Type(() => RateLimitsDto)
  rateLimits?: RateLimitsDto;

  /** Requests of all the customer's keys in flight at once. */
  @ValidateIf(isPresent)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  @Max(MAX_CONCURRENCY)
  concurrency?: number;

  /** Decimal amount per UTC day over all the customer's keys, at most 6 decimals. */
  @ValidateIf(isPresent)
  @ValidateBy({
    name: 'isMicroAmount',
    validator: {
      validate: (value) => isMicroAmount(value) && value <= 1_000_000_000,
      defaultMessage: () => 'must be a decimal amount between 0 and 1000000000 with at most 6 decimals',
    },
  })
  dailySpendLimit?: number;
}
