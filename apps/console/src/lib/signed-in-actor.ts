import { type ConsoleSession, hasScope, type Me } from '@keywarden/core';
import { useQueryClient } from '@tanstack/react-query';
import { SESSION_QUERY_KEY } from './query-client';

/**
 * The admin key behind the console's session, as `GET /v1/me` describes it (its scopes, the
 * apps it is limited to). The console shows its pages only once the session is known.
 */
export function useSignedInActor(): Me {
  const session = useQueryClient().getQueryData<ConsoleSession | null>(SESSION_QUERY_KEY);
  if (!session) throw new Error('No console session: pages are shown only once it is known');
  return session.actor;
}

/**
 * Whether the signed-in admin key holds a scope, as the API's scopes guard will decide: the
 * console offers what the key may do and says what the rest needs, instead of a 403 after a click.
 */
export function useHasScope(): (scope: string) => boolean {
  const { scopes } = useSignedInActor();
  return (scope) => hasScope(scopes, scope);
}
