import type { ConsoleSession, CreateConsoleSessionRequest } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiRequestError, setCsrfToken } from '../../../lib/api-client';
import { useEndSession } from '../../../lib/end-session';
import { forgetAllButSession, SESSION_QUERY_KEY } from '../../../lib/query-client';

/** The signed-in session, or null when signed out (no cookie, ended, or expired). */
export function useSession() {
  return useQuery({
    queryKey: SESSION_QUERY_KEY,
    queryFn: async (): Promise<ConsoleSession | null> => {
      try {
        const session = await api.get<ConsoleSession>('/v1/console/sessions/current');
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: Infinity,
  });
}

/** The key goes out once, in the body; only the cookie and the CSRF token come back. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateConsoleSessionRequest) => api.post<ConsoleSession>('/v1/console/sessions', body),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      forgetAllButSession(client);
      client.setQueryData(SESSION_QUERY_KEY, session);
    },
  });
}

export function useSignOut() {
  return useEndSession('/v1/console/sessions/current');
}
