import { type BusinessHours, WEEKDAYS, type Weekday } from '@keywarden/core';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, Matches } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class BusinessHoursDto implements ExactContract<BusinessHoursDto, BusinessHours> {
  /** Working days, e.g. ["mon","tue","wed","thu","fri"]. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true })
  days!: Weekday[];

  /** Start of the working day, HH:MM in the app's timezone. */
  @Matches(HH_MM, { message: 'start must be HH:MM (00:00-23:59)' })
  start!: string;

  /** End of the working day (exclusive), HH:MM; differs from start, and is earlier than start for hours that span midnight. */
  @Matches(HH_MM, { message: 'end must be HH:MM (00:00-23:59)' })
  end!: string;
}
