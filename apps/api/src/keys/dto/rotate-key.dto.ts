import { MAX_ROTATION_GRACE_SECONDS, type RotateKeyRequest } from '@keywarden/core';
import { IsOptional, Max, Min } from 'class-validator';
import { IsInteger } from '../../common/validators';
import type { ExactContract } from '../../common/exact-contract';

export class RotateKeyDto implements ExactContract<RotateKeyDto, RotateKeyRequest> {
  /** Seconds the previous secret keeps working: default 86400, 0 = stop now, max 30 days. */
  @IsOptional()
  @IsInteger()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  gracePeriodSeconds?: number;
}
