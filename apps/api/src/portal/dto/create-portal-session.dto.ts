import {
  type CreatePortalSessionRequest,
  MAX_PORTAL_SESSION_TTL_SECONDS,
  PORTAL_PERMISSIONS,
  type PortalPermission,
} from '@keywarden/core';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { IsCustomerId, IsExternalId } from '../../customers/dto/create-customer.dto';
import { ApiExactlyOneOf, IsInteger, IsScopeList, OmittableNotNull } from '../../common/validators';

@ApiExactlyOneOf('customerId', 'externalId')
export class CreatePortalSessionDto implements CreatePortalSessionRequest {
  /** The customer the session is limited to; or name it by externalId. */
  @OmittableNotNull()
  @IsCustomerId()
  customerId?: string;

  @OmittableNotNull()
  @IsExternalId()
  externalId?: string;

  /** Limits the session to one app. */
  @ValidateIf((_dto: object, value: unknown) => value !== undefined)
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  /** What the customer may do in the portal. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(PORTAL_PERMISSIONS, { each: true, message: `each value in permissions must be one of: ${PORTAL_PERMISSIONS.join(', ')}` })
  permissions!: PortalPermission[];

  /** Scopes keys created in the portal may carry (within the app's catalog). */
  @IsOptional()
  @IsScopeList({ maxItems: 100, appScopesOnly: true })
  allowedScopes?: string[];

  /** Session length once the link is opened, 60–86400 seconds (default 3600). */
  @IsOptional()
  @IsInteger()
  @Min(60)
  @Max(MAX_PORTAL_SESSION_TTL_SECONDS)
  ttlSeconds?: number;
}
