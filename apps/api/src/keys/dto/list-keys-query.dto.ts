import { KEY_STATUSES, type KeyStatus, type ListKeysQuery } from '@keywarden/core';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { IsEnvironmentName } from '../../common/validators';
import { GROUP_PATTERN } from './create-key.dto';
import type { ExactContract } from '../../common/exact-contract';

export class ListKeysQueryDto extends PageQueryDto implements ExactContract<ListKeysQueryDto, ListKeysQuery> {
  @IsOptional()
  @Matches(/^app_[0-9a-z]{26}$/, { message: 'appId must be an app id (app_...)' })
  appId?: string;

  @IsOptional()
  @IsEnvironmentName()
  environment?: string;

  @IsOptional()
  @IsIn(KEY_STATUSES)
  status?: KeyStatus;

  @IsOptional()
  @Matches(GROUP_PATTERN, { message: 'group must be 1-32 chars of a-z, 0-9, _ or -' })
  group?: string;
}
