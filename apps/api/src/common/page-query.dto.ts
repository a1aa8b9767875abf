import { ID_PREFIXES, type IdKind, MAX_PAGE_LIMIT, type PageQuery } from '@keywarden/core';
import { Type } from 'class-transformer';
import { IsOptional, Matches, Max, Min } from 'class-validator';
import type { ExactContract } from './exact-contract';
import { IsInteger } from './validators';

// A `.dto.ts` file: the OpenAPI plugin documents the classes of such files only, and every
// list route's query inherits these two.

/** Page size alone, for lists whose cursor is not an id. */
export class PageLimitDto implements ExactContract<PageLimitDto, Pick<PageQuery, 'limit'>> {
  /** Page size, 1–100 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInteger()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;
}

/** Lists paged by id: the cursor is the last id of the previous page. */
export class PageQueryDto extends PageLimitDto implements ExactContract<PageQueryDto, PageQuery> {
  /** `nextCursor` from the previous page. */
  @IsOptional()
  @Matches(/^[a-z]+_[0-9a-z]{26}$/, { message: 'cursor is not a valid cursor' })
  cursor?: string;
}

/**
 * The page query of a list of `kind` ids: its cursor must be one of them. An id of
 * another list would page by the wrong order (an empty "last page", or the first again).
 */
export function pageQueryOf(kind: IdKind) {
  const prefix = ID_PREFIXES[kind];
  class PageQueryOfKind extends PageQueryDto {
    @IsOptional()
    @Matches(new RegExp(`^${prefix}_`), { message: `cursor must be a nextCursor of this list (${prefix}_...)` })
    override cursor?: string = undefined;
  }
  return PageQueryOfKind;
}

export class AppsPageQueryDto extends pageQueryOf('app') {}
export class AdminKeysPageQueryDto extends pageQueryOf('adminKey') {}
export class KeysPageQueryDto extends pageQueryOf('key') {}
export class AlertsPageQueryDto extends pageQueryOf('alert') {}
export class WebhooksPageQueryDto extends pageQueryOf('webhookEndpoint') {}
