import type { Page, PageQuery } from '@keywarden/core';

/**
 * Yields every item across pages, fetching the next page only when the caller gets there,
 * so breaking out of a `for await` stops the requests too. A `cursor` in the query resumes.
 */
export async function* paginate<T, Q extends PageQuery>(
  fetchPage: (query: Q) => Promise<Page<T>>,
  query: Q,
): AsyncGenerator<T, void, undefined> {
  let cursor = query.cursor;
  do {
    const page = await fetchPage({ ...query, cursor });
    yield* page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
