import type { Metadata, UpdateKeyRequest } from '@keywarden/core';
import {
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { IsFutureDate, IsMetadata } from '../../common/validators';
import { GROUP_PATTERN, IsAppKeyScopes } from './create-key.dto';

/** Omitted fields stay; `null` clears description, group and expiresAt, and is refused elsewhere. */
export class UpdateKeyDto implements UpdateKeyRequest {
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Length(1, 100)
  name?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(0, 500)
  description?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Matches(GROUP_PATTERN, { message: 'group must be 1-32 chars of a-z, 0-9, _ or -' })
  group?: string | null;

  @ValidateIf((_, value) => value !== undefined)
  @IsAppKeyScopes()
  scopes?: string[];

  @ValidateIf((_, value) => value !== undefined)
  @IsMetadata()
  metadata?: Metadata;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsFutureDate()
  expiresAt?: string | null;
}
