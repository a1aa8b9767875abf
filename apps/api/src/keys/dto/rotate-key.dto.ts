import { MAX_ROTATION_GRACE_SECONDS, type RotateKeyRequest } from '@keywarden/core';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ExactContract } from '../../common/exact-contract';

export class RotateKeyDto implements ExactContract<RotateKeyDto, RotateKeyRequest> {
  /** Seconds the previous secret keeps working: default 86400, 0 = stop now, max 30 days. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  gracePeriodSeconds?: number;
}
