import { GRANULARITIES, type Granularity } from '@keywarden/core';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';

/** The customer's usage; grouped by key, model or outcome (not by customer: there is one). */
export class PortalUsageQueryDto {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  model?: string;

  @IsIn(GRANULARITIES)
  granularity!: Granularity;

  @IsISO8601({ strict: true })
  from!: string;

  @IsISO8601({ strict: true })
  to!: string;

  @IsOptional()
  @IsIn(['model', 'outcome', 'key'])
  groupBy?: 'model' | 'outcome' | 'key';
}
