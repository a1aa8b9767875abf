import type { PortalCreateKeyRequest } from '@keywarden/core';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { IsEnvironmentName } from '../../common/validators';
import { IsAppKeyScopes } from '../../keys/dto/create-key.dto';

export class PortalCreateKeyDto implements PortalCreateKeyRequest {
  /** Required when the session is not limited to one app. */
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsString()
  @Length(1, 100)
  name!: string;

  @IsEnvironmentName()
  environment!: string;

  /** Within the session's allowed scopes and the app's catalog. */
  @IsAppKeyScopes()
  scopes!: string[];
}

export class PortalListQueryDto extends PageQueryDto {}
