import {
  GRANULARITIES,
  type Granularity,
  type ListKeyRequestsQuery,
  USAGE_GROUP_BY,
  type UsageGroupBy,
  type UsageQuery,
} from '@keywarden/core';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageLimitDto } from '../../common/page-query.dto';
import type { ExactContract } from '../../common/exact-contract';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';
import { IsReadableInstant } from '../../common/validators';

export class UsageQueryDto implements ExactContract<UsageQueryDto, UsageQuery> {
  /** Exactly one of appId, keyId and customerId is required. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  appId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  keyId?: string;

  /** Usage of every key the customer held (`cus_…`). */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  model?: string;

  @IsIn(GRANULARITIES)
  granularity!: Granularity;

  @IsISO8601({ strict: true })
  @IsReadableInstant()
  from!: string;

  @IsISO8601({ strict: true })
  @IsReadableInstant()
  to!: string;

  @IsOptional()
  @IsIn(USAGE_GROUP_BY)
  groupBy?: UsageGroupBy;
}

export class ListKeyRequestsQueryDto extends PageLimitDto implements ExactContract<ListKeyRequestsQueryDto, ListKeyRequestsQuery> {
  /** `nextCursor` from the previous page (opaque). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a valid cursor' })
  cursor?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  to?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  outcome?: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  model?: string;
}
