import type { AccessLogEntry, AppKey, CreateKeyRequest, KeyStatus, Page, RotateKeyRequest, WithSecret } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export interface KeyFilters {
  appId: string;
  search: string;
  status: KeyStatus | '';
  environment: string;
  group: string;
}

export const KEYS_PAGE_SIZE = 25;

export function useKeysPage(filters: KeyFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.keys, 'page', filters, cursor],
    queryFn: () => api.get<Page<AppKey>>('/v1/keys', { ...filters, limit: KEYS_PAGE_SIZE, cursor }),
    placeholderData: (previous) => previous,
  });
}

export function useKey(keyId: string) {
  return useQuery({ queryKey: queryKeys.key(keyId), queryFn: () => api.get<AppKey>(`/v1/keys/${encodeURIComponent(keyId)}`) });
}

export function useKeyRequests(keyId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.key(keyId), 'requests', cursor],
    queryFn: () => api.get<Page<AccessLogEntry>>(`/v1/keys/${encodeURIComponent(keyId)}/requests`, { limit: 20, cursor }),
  });
}

/** Keeps the key's page and every list in step with a change. */
function useKeyMutation<TBody, TResult extends AppKey>(request: (body: TBody) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: (key) => {
      // The answer may carry a secret: only its metadata goes into the cache.
      const { secret: _secret, ...metadata } = key as TResult & Partial<WithSecret>;
      client.setQueryData(queryKeys.key(key.id), metadata);
      return client.invalidateQueries({ queryKey: queryKeys.keys });
    },
  });
}

export function useCreateKey() {
  return useKeyMutation((body: CreateKeyRequest) => api.post<AppKey & WithSecret>('/v1/keys', body));
}

export function useRotateKey(keyId: string) {
  return useKeyMutation((body: RotateKeyRequest) => api.post<AppKey & WithSecret>(`/v1/keys/${encodeURIComponent(keyId)}/rotate`, body));
}

export type KeyAction = 'revoke' | 'disable' | 'enable';

export function useKeyAction(keyId: string, action: KeyAction) {
  return useKeyMutation(() => api.post<AppKey>(`/v1/keys/${encodeURIComponent(keyId)}/${action}`));
}
