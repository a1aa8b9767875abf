import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api-client';
import { forgetAllButSession, SESSION_QUERY_KEY } from './query-client';

/**
 * Signs out of the console or the portal: the server ends the session and clears the
 * cookie (also when the session had already ended), and nothing loaded stays in the page.
 */
export function useEndSession(path: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<void>(path),
    onSuccess: () => {
      setCsrfToken(null);
      forgetAllButSession(client);
      client.setQueryData(SESSION_QUERY_KEY, null);
    },
  });
}
