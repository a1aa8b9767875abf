import type { Metadata, UpdateKeyRequest } from '@keywarden/core';
import {
  IsString,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { KeyPolicyDto } from '../../policy/dto/key-policy.dto';
import { IsFutureDate, IsMetadata, NestedObject } from '../../common/validators';
import { IsCustomerId } from '../../customers/dto/create-customer.dto';
import { GROUP_PATTERN, IsAppKeyScopes } from './create-key.dto';
import type { ExactContract } from '../../common/exact-contract';

/** Omitted fields stay; `null` clears description, group, expiresAt and policy, and is refused elsewhere. */
export class UpdateKeyDto implements ExactContract<UpdateKeyDto, UpdateKeyRequest> {
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

  /** Replaces the key's own policy as a whole; `null` leaves only the app default. */
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @NestedObject(() => KeyPolicyDto)
  policy?: KeyPolicyDto | null;

  /** Moves the key to another customer of the workspace; `null` detaches it from its customer. */
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsCustomerId()
  customerId?: string | null;
}
