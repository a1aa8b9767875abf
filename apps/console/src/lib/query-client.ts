import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiRequestError } from './api-client';

export const SESSION_QUERY_KEY = ['session'] as const;

/** What one actor loaded must not be shown to the next (after sign-in or sign-out); the session query stays observed. */
export function forgetAllButSession(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_QUERY_KEY[0] });
}

/** Server state lives here and nowhere else; a 401 anywhere means the session is over. */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (error instanceof ApiRequestError && error.status === 401) client.setQueryData(SESSION_QUERY_KEY, null);
      },
    }),
    // Requests are made even when the browser reports itself offline (the default pauses them
    // until it is back, leaving a stale list or a "Creating…" button with no word of why): they
    // fail at once and say the API could not be reached, as when it is down.
    defaultOptions: {
      queries: {
        networkMode: 'always',
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => error instanceof ApiRequestError && error.status >= 500 && failures < 2,
      },
      mutations: { networkMode: 'always', retry: false },
    },
  });
  return client;
}
