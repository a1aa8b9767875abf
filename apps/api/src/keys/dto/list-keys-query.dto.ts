import { KEY_STATUSES, type KeyStatus, type ListKeysQuery, MAX_KEY_SEARCH_LENGTH } from '@keywarden/core';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { pageQueryOf } from '../../common/page-query.dto';
import { IsEnvironmentName, IsInteger } from '../../common/validators';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';
import { GROUP_PATTERN } from './create-key.dto';
import type { ExactContract } from '../../common/exact-contract';

export class ListKeysQueryDto extends pageQueryOf('key') implements ExactContract<ListKeysQueryDto, ListKeysQuery> {
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsOptional()
  @IsEnvironmentName()
  environment?: string;

  @IsOptional()
  @IsIn(KEY_STATUSES)
  status?: KeyStatus;

  @IsOptional()
  @Matches(GROUP_PATTERN, { message: 'group must be 1-32 chars of a-z, 0-9, _ or -' })
  group?: string;

  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_KEY_SEARCH_LENGTH)
  search?: string;

  /** Stale keys: unused for at least this many days (never-used keys count from creation). */
  @IsOptional()
  @Type(() => Number)
  @IsInteger()
  @Min(1)
  @Max(3650)
  unusedForDays?: number;

  /** `true` lists canary keys (only those); ordinary listings never show them. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  canary?: boolean;
}
