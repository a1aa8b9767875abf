import { ADMIN_ROLES, type AdminRole, type CreateAdminKeyRequest } from '@keywarden/core';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { AdminKeyPolicyDto } from '../../policy/dto/key-policy.dto';
import { ApiExactlyOneOf, IsFutureDate, IsScopeList, NestedObject, OmittableNotNull } from '../../common/validators';
import type { ExactContract } from '../../common/exact-contract';

@ApiExactlyOneOf('role', 'scopes')
export class CreateAdminKeyDto implements ExactContract<CreateAdminKeyDto, CreateAdminKeyRequest> {
  @IsString()
  @Length(1, 100)
  name!: string;

  /** owner (everything), admin, developer (no revoke), viewer (read only). */
  @OmittableNotNull()
  @IsIn(ADMIN_ROLES)
  role?: AdminRole;

  /** Management scopes, wildcards, or presets read / write / admin. */
  @OmittableNotNull()
  @IsScopeList({ minItems: 1, maxItems: 50, allowPresets: true })
  scopes?: string[];

  /** Restrict the key to these apps; omit for every app the calling key reaches (all of the workspace's when it is unrestricted). */
  @OmittableNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(/^app_[0-9a-z]{26}$/, { each: true, message: 'appIds must contain app ids (app_...)' })
  appIds?: string[];

  @OmittableNotNull()
  @IsFutureDate()
  expiresAt?: string;

  /** Rate limits (default: the deployment's admin-key limit), IP allowlist, rotation period. */
  @OmittableNotNull()
  @NestedObject(() => AdminKeyPolicyDto)
  policy?: AdminKeyPolicyDto;
}
