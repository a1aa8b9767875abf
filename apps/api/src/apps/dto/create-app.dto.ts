import type { CreateAppRequest } from '@keywarden/core';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsTimeZone,
  Length,
  ValidateNested,
} from 'class-validator';
import { IsEnvironmentName, IsNotManagementScope, IsScope } from '../../common/validators';
import { BusinessHoursDto } from './business-hours.dto';

export class CreateAppDto implements CreateAppRequest {
  @IsString()
  @Length(1, 100)
  name!: string;

  /** IANA timezone used for business hours and detection baselines (default UTC). */
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  /** Default Mon–Fri 08:00–19:00. */
  @IsOptional()
  @ValidateNested()
  @Type(() => BusinessHoursDto)
  businessHours?: BusinessHoursDto;

  /** Scopes this app's keys may carry; empty = any non-management scope. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsScope({ each: true })
  @IsNotManagementScope({ each: true })
  scopeCatalog?: string[];

  /** Key environments (default ["live","test"]). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEnvironmentName({ each: true })
  environments?: string[];
}
