import type { Alert, AlertStatus, AppKey, Page } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export interface AlertFilters {
  appId: string;
  status: AlertStatus | '';
  type: string;
  /** Alerts about one key (a key's page links here with it). */
  keyId: string;
}

export function useAlertsPage(filters: AlertFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.alerts, 'page', filters, cursor],
    queryFn: () => api.get<Page<Alert>>('/v1/alerts', { ...filters, limit: 25, cursor }),
  });
}

export function useAlert(alertId: string) {
  return useQuery({ queryKey: [...queryKeys.alerts, 'one', alertId], queryFn: () => api.get<Alert>(`/v1/alerts/${encodeURIComponent(alertId)}`) });
}

/** Resolving also ends the containment the alert held on its key: the key is read again. */
export function useAlertAction(alertId: string, keyId: string, action: 'acknowledge' | 'resolve') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Alert>(`/v1/alerts/${encodeURIComponent(alertId)}/${action}`),
    onSuccess: (alert) => {
      client.setQueryData([...queryKeys.alerts, 'one', alertId], alert);
      return Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.alerts }),
        ...(action === 'resolve'
          ? [client.invalidateQueries({ queryKey: queryKeys.key(keyId) }), client.invalidateQueries({ queryKey: queryKeys.keys })]
          : []),
      ]);
    },
  });
}

/**
 * The alert's key: its `containment` says whether this alert holds one on it (the same
 * cache entry as the key's page, so lifting here shows there).
 */
export function useAlertKey(keyId: string) {
  return useQuery({ queryKey: queryKeys.key(keyId), queryFn: () => api.get<AppKey>(`/v1/keys/${encodeURIComponent(keyId)}`) });
}

/** Ends the containment the alert put on its key; the alert stays as it is. */
export function useLiftContainment(alertId: string, keyId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Alert>(`/v1/alerts/${encodeURIComponent(alertId)}/lift`),
    onSuccess: (alert) => {
      client.setQueryData([...queryKeys.alerts, 'one', alertId], alert);
      return Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.key(keyId) }),
        client.invalidateQueries({ queryKey: queryKeys.keys }),
        client.invalidateQueries({ queryKey: queryKeys.alerts }),
      ]);
    },
  });
}

