import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiRequestError, setCsrfToken } from './api-client';
import { forgetAllButSession, SESSION_QUERY_KEY } from './query-client';

/**
 * Signs out of the console or the portal: the server ends the session and clears the
 * cookie, and nothing loaded stays in the page. The portal answers 401 when its session had
 * already ended (the console's sign-out succeeds then too): signed out all the same.
 */
export function useEndSession(path: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.delete<void>(path);
      } catch (error) {
        if (!(error instanceof ApiRequestError && error.status === 401)) throw error;
      }
    },
    onSuccess: () => {
      setCsrfToken(null);
      forgetAllButSession(client);
      client.setQueryData(SESSION_QUERY_KEY, null);
    },
  });
}
