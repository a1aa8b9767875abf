import type { AccessLogEntry, App, AppKey, CreateKeyRequest, KeyStatus, Page, ReportLeakRequest, ReportLeakResponse, RotateKeyRequest, WithSecret } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { useKeyMutation } from '../../../lib/key-mutation';
import type { KeyAction } from '../../../components/keys/key-actions';
import { queryKeys } from '../../../lib/query-keys';

export interface KeyFilters {
  appId: string;
  customerId?: string;
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

const KEY_CACHE = { one: queryKeys.key, lists: queryKeys.keys };

export function useCreateKey() {
  return useKeyMutation((body: CreateKeyRequest) => api.post<AppKey & WithSecret>('/v1/keys', body), KEY_CACHE);
}

export function useRotateKey(keyId: string) {
  return useKeyMutation((body: RotateKeyRequest) => api.post<AppKey & WithSecret>(`/v1/keys/${encodeURIComponent(keyId)}/rotate`, body), KEY_CACHE);
}


export function useKeyAction(keyId: string, action: KeyAction) {
  return useKeyMutation(() => api.post<AppKey>(`/v1/keys/${encodeURIComponent(keyId)}/${action}`), KEY_CACHE);
}

/**
 * The key's app, for what its leak response will do (the same cache entry as the app's page).
 * Fetched only while `enabled`: Report leak stays mounted on the key page and asks once opened.
 */
export function useKeyApp(appId: string, { enabled }: { enabled: boolean }) {
  return useQuery({ queryKey: queryKeys.app(appId), queryFn: () => api.get<App>(`/v1/apps/${encodeURIComponent(appId)}`), enabled });
}

/** A leak report: the key changes (revoked, disabled) and a `leak` alert opens or grows. */
export function useReportLeak(keyId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<ReportLeakRequest, 'key' | 'keyId'>) => api.post<ReportLeakResponse>('/v1/leaks', { ...body, keyId }),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.key(keyId) }),
        client.invalidateQueries({ queryKey: queryKeys.keys }),
        client.invalidateQueries({ queryKey: queryKeys.alerts }),
      ]),
  });
}
