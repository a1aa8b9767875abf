import { AUDIT_ACTIONS, type AuditAction, type ListAuditQuery } from '@keywarden/core';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { pageQueryOf } from '../../common/page-query.dto';
import type { ExactContract } from '../../common/exact-contract';

/** An empty filter is refused (400), never read as no filter: it would list every entry. */
export class ListAuditQueryDto extends pageQueryOf('audit') implements ExactContract<ListAuditQueryDto, ListAuditQuery> {
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  targetId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  actorKeyId?: string;

  /** Who acted, as entries name it: an admin key's id, or `portal:<customer id>`. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  actor?: string;
}
