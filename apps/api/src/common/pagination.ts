import { DEFAULT_PAGE_LIMIT, type Page, type PageQuery } from '@keywarden/core';

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
