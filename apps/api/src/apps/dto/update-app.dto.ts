import { OmitType, PartialType } from '@nestjs/swagger';
import type { UpdateAppRequest } from '@keywarden/core';
import { ValidateIf } from 'class-validator';
import { KeyPolicyDto } from '../../policy/dto/key-policy.dto';
import type { ExactContract } from '../../common/exact-contract';
import { CreateAppDto } from './create-app.dto';
import { PortalBrandingDto } from './portal-branding.dto';
import { NestedObject } from '../../common/validators';

/**
 * Omitted fields stay. Only the default policy and the portal branding can be cleared (`null`); for every other
 * field `null` is validated (and refused).
 */
export class UpdateAppDto extends PartialType(OmitType(CreateAppDto, ['defaultPolicy', 'portal'] as const), { skipNullProperties: false }) implements ExactContract<UpdateAppDto, UpdateAppRequest> {
  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  @NestedObject(() => KeyPolicyDto)
  defaultPolicy?: KeyPolicyDto | null;

  /** Replaces the portal branding as a whole; `null` clears it. */
  @ValidateIf((_dto, value) => value !== null && value !== undefined)
  @NestedObject(() => PortalBrandingDto)
  portal?: PortalBrandingDto | null;
}
