import type { ReportUsageRequest, UsageReportItem } from '@keywarden/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';
import { IsCost, IsInteger, IsReadableInstant, NestedObject } from '../../common/validators';

export const MAX_REPORT_ITEMS = 1000;

export class UsageReportItemDto implements ExactContract<UsageReportItemDto, UsageReportItem> {
  @IsString()
  @Length(1, 64)
  keyId!: string;

  @IsString()
  @Length(1, 128)
  model!: string;

  @IsInteger()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  units!: number;

  /** Decimal amount of at most 6 decimals, stored exactly as micro-units. */
  @IsCost()
  cost!: number;

  /**
   * When the usage happened: at most the access log's retention (KW_ACCESS_LOG_RETENTION_DAYS,
   * 30 days by default) in the past, and at most 5 minutes in the future.
   */
  @IsISO8601({ strict: true })
  @IsReadableInstant()
  timestamp!: string;

  /** Your id for this usage: a replayed requestId is counted once. */
  @IsString()
  @Length(1, 128)
  requestId!: string;
}

export class ReportUsageDto implements ExactContract<ReportUsageDto, ReportUsageRequest> {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPORT_ITEMS)
  @NestedObject(() => UsageReportItemDto, { each: true })
  events!: UsageReportItemDto[];
}
