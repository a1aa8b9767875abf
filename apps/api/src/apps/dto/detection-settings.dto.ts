import { type AppDetectionSettingsUpdate, SENSITIVITIES, type Sensitivity } from '@keywarden/core';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsNumber, Matches, Max, Min, ValidateIf } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';

const isPresent = (_dto: object, value: unknown): boolean => value !== undefined;
const FLOOR = { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 };
const MAX_FLOOR_PER_MINUTE = 1_000_000;

/** Omitted fields keep their value; none can be cleared with null. */
export class DetectionSettingsDto implements ExactContract<DetectionSettingsDto, AppDetectionSettingsUpdate> {
  /** low = fewer, surer alerts; high = earlier alerts, more false alarms. */
  @ValidateIf(isPresent)
  @IsIn(SENSITIVITIES)
  sensitivity?: Sensitivity;

  /** Requests per minute a key must exceed before a spike alert can fire. */
  @ValidateIf(isPresent)
  @IsNumber(FLOOR)
  @Min(0)
  @Max(MAX_FLOOR_PER_MINUTE)
  spikeFloorPerMinute?: number;

  /** Requests per minute a key must exceed outside business hours before an off-hours alert can fire. */
  @ValidateIf(isPresent)
  @IsNumber(FLOOR)
  @Min(0)
  @Max(MAX_FLOOR_PER_MINUTE)
  offHoursFloorPerMinute?: number;

  /** Keys of this app that never alert (they are still learned from). */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(1_000)
  @ArrayUnique()
  @Matches(/^key_[0-9a-z]{26}$/, { each: true, message: 'mutedKeyIds must be key ids (key_...)' })
  mutedKeyIds?: string[];
}
