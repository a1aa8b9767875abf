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
    const next = page.nextCursor ?? undefined;
    // A server (or a proxy's cache) answering the same page again would be followed forever.
    if (next !== undefined && next === cursor) throw new Error('Keywarden: the server answered the same nextCursor again; listing stopped');
    cursor = next;
  } while (cursor);
}
