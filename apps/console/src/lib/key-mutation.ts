import type { AppKey, WithSecret } from '@keywarden/core';
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';

interface KeyCacheKeys {
  /** Where one key's page reads it. */
  one: (keyId: string) => QueryKey;
  /** Every list that may show it. */
  lists: QueryKey;
}

/**
 * A change to a key (create, rotate, revoke, ...) that keeps its page and the lists in step.
 * The answer may carry a secret: only its metadata goes into the cache.
 */
export function useKeyMutation<TBody, TResult extends AppKey>(request: (body: TBody) => Promise<TResult>, cache: KeyCacheKeys) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: (key) => {
      const { secret: _secret, ...metadata } = key as TResult & Partial<WithSecret>;
      client.setQueryData(cache.one(key.id), metadata);
      return client.invalidateQueries({ queryKey: cache.lists });
    },
  });
}
