import type { Alert, AlertStatus, Page } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export interface AlertFilters {
  appId: string;
  status: AlertStatus | '';
  type: string;
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

export function useAlertAction(alertId: string, action: 'acknowledge' | 'resolve') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Alert>(`/v1/alerts/${encodeURIComponent(alertId)}/${action}`),
    onSuccess: (alert) => {
      client.setQueryData([...queryKeys.alerts, 'one', alertId], alert);
      return client.invalidateQueries({ queryKey: queryKeys.alerts });
    },
  });
}
