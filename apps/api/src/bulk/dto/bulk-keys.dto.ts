import {
  BULK_KEY_ACTIONS,
  type BulkKeyAction,
  type BulkKeyFilter,
  type BulkKeysRequest,
  KEY_STATUSES,
  type KeyStatus,
  MAX_ROTATION_GRACE_SECONDS,
} from '@keywarden/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsFutureDate, IsInteger, IsReadableInstant, NestedObject } from '../../common/validators';
import { GROUP_PATTERN } from '../../keys/dto/create-key.dto';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;
export const MAX_BULK_IDS = 10_000;

/** All given conditions hold; at least one is required (checked by the service, which names the rule). */
export class BulkKeyFilterDto implements BulkKeyFilter {
  @ValidateIf(isPresent)
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  /** Keys held by this customer. */
  @ValidateIf(isPresent)
  @IsCustomerId()
  customerId?: string;

  /** Id of the admin key that created the keys. */
  @ValidateIf(isPresent)
  @Matches(/^akey_[0-9a-z]{26}$/, { message: 'createdBy must be an admin key id (akey_...)' })
  createdBy?: string;

  @ValidateIf(isPresent)
  @Matches(GROUP_PATTERN, { message: 'group must be 1-32 chars of a-z, 0-9, _ or -' })
  group?: string;

  @ValidateIf(isPresent)
  @IsIn(KEY_STATUSES)
  status?: KeyStatus;

  /** Keys last used before this instant (never-used keys do not match: see neverUsed). */
  @ValidateIf(isPresent)
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  lastUsedBefore?: string;

  /** true: keys never used; false: keys used at least once. */
  @ValidateIf(isPresent)
  @IsBoolean()
  neverUsed?: boolean;

  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_IDS)
  @ArrayUnique()
  @Matches(/^key_[0-9a-z]{26}$/, { each: true, message: 'each value in ids must be a key id (key_...)' })
  ids?: string[];
}

export class BulkKeysDto implements BulkKeysRequest {
  @NestedObject(() => BulkKeyFilterDto)
  filter!: BulkKeyFilterDto;

  @IsIn(BULK_KEY_ACTIONS)
  action!: BulkKeyAction;

  /** rotate: seconds the previous secrets keep working (default 86400, 0 = stop now). */
  @ValidateIf(isPresent)
  @IsInteger()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  gracePeriodSeconds?: number;

  /** expire: the new expiry (future ISO 8601), or null to clear it. */
  @ValidateIf((_dto, value) => value !== undefined && value !== null)
  @IsFutureDate()
  expiresAt?: string | null;

  @ValidateIf(isPresent)
  @IsBoolean()
  dryRun?: boolean;
}
