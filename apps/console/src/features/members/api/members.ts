import type { AdminKey, CreateAdminKeyRequest, Page, WithSecret } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useAdminKeysPage(cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.adminKeys, cursor],
    queryFn: () => api.get<Page<AdminKey>>('/v1/admin-keys', { limit: 25, cursor }),
  });
}

export function useCreateAdminKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAdminKeyRequest) => api.post<AdminKey & WithSecret>('/v1/admin-keys', body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.adminKeys }),
  });
}

export type Cascade = '' | 'disable' | 'revoke';

/** Revokes a member's admin key; `cascade` also disables or revokes the app keys it created. */
export function useRevokeAdminKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, cascade }: { id: string; cascade: Cascade }) => api.delete<AdminKey>(withQuery(`/v1/admin-keys/${encodeURIComponent(id)}`, { cascade })),
    // A cascade changed app keys too: every key read before it is read again.
    onSuccess: (_revoked, { cascade }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.adminKeys }),
        ...(cascade ? [client.invalidateQueries({ queryKey: queryKeys.keys })] : []),
      ]),
  });
}
