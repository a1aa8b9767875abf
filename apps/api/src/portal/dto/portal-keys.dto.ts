import type { PortalCreateKeyRequest } from '@keywarden/core';
import { PickType } from '@nestjs/swagger';
import { Matches, ValidateIf } from 'class-validator';
import { CreateKeyDto } from '../../keys/dto/create-key.dto';

/** Name, environment and scopes as on `POST /v1/keys`; the customer and the policy come from the session and the app. */
export class PortalCreateKeyDto extends PickType(CreateKeyDto, ['name', 'environment', 'scopes'] as const) implements PortalCreateKeyRequest {
  /** Required when the session is not limited to one app. */
  @ValidateIf((_dto: object, value: unknown) => value !== undefined)
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;
}
