import type { CreateKeyRequest, Metadata } from '@keywarden/core';
import {
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { IsCustomerId, IsExternalId } from '../../customers/dto/create-customer.dto';
import { KeyPolicyDto } from '../../policy/dto/key-policy.dto';
import {
  IsEnvironmentName,
  IsFutureDate,
  IsMetadata,
  IsScopeList,
  NestedObject,
  OmittableNotNull,
} from '../../common/validators';
import type { ExactContract } from '../../common/exact-contract';

export const GROUP_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;


/** 1–100 distinct app scopes, wildcards or presets; never management scopes. */
export const IsAppKeyScopes = () => IsScopeList({ minItems: 1, maxItems: 100, allowPresets: true, appScopesOnly: true });

export class CreateKeyDto implements ExactContract<CreateKeyDto, CreateKeyRequest> {
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId!: string;

  @IsString()
  @Length(1, 100)
  name!: string;

  /** One of the app's environments, e.g. "live" or "test". */
  @IsEnvironmentName()
  environment!: string;

  /** Scopes from the app's catalog, wildcards, or presets read / write / admin. */
  @IsAppKeyScopes()
  scopes!: string[];

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  /** e.g. production, staging, personal. */
  @IsOptional()
  @Matches(GROUP_PATTERN, { message: 'group must be 1-32 chars of a-z, 0-9, _ or -' })
  group?: string;

  /** Free-form JSON object, at most 4 KiB. */
  @IsOptional()
  @IsMetadata()
  metadata?: Metadata;

  /** ISO 8601, in the future. */
  @IsOptional()
  @IsFutureDate()
  expiresAt?: string;

  /** Overrides the app's default policy field by field. */
  @IsOptional()
  @NestedObject(() => KeyPolicyDto)
  policy?: KeyPolicyDto;

  /** The customer holding the key; or name it by externalId (not both). `null`: no customer, as when left out. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string | null;

  /** The platform's own id of the customer holding the key. */
  @OmittableNotNull()
  @IsExternalId()
  externalId?: string;

  /** A canary: never valid, every use opens a critical `canary_used` alert. */
  @IsOptional()
  @IsBoolean()
  canary?: boolean;
}
