import { AUDIT_ACTIONS, type AuditAction, type ListAuditQuery } from '@keywarden/core';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { pageQueryOf } from '../../common/page-query.dto';
import type { ExactContract } from '../../common/exact-contract';

export class ListAuditQueryDto extends pageQueryOf('audit') implements ExactContract<ListAuditQueryDto, ListAuditQuery> {
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  actorKeyId?: string;

  /** Who acted, as entries name it: an admin key's id, or `portal:<customer id>`. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor?: string;
}
