import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page, type PageQuery } from '@keywarden/core';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { ExactContract } from './exact-contract';

/** Page size alone, for lists whose cursor is not an id. */
export class PageLimitDto implements ExactContract<PageLimitDto, Pick<PageQuery, 'limit'>> {
  /** Page size, 1–100 (default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
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
 * Ids are time-ordered, so a page is "ids below the cursor, newest first"; one extra row
 * tells whether another page exists.
 */
export function pageOf<Row extends { id: string }, Out>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Out,
): Page<Out> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return { data: pageRows.map(map), nextCursor: hasMore ? pageRows[pageRows.length - 1].id : null };
}

export function limitOf(query: PageQuery): number {
  return query.limit ?? DEFAULT_PAGE_LIMIT;
}
