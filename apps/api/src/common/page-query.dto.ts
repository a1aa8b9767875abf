import { MAX_PAGE_LIMIT, type PageQuery } from '@keywarden/core';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { ExactContract } from './exact-contract';

// A `.dto.ts` file: the OpenAPI plugin documents the classes of such files only, and every
// list route's query inherits these two.

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
