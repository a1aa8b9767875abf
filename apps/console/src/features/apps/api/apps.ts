import type { App, CreateAppRequest, Page, UpdateAppRequest } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useAppsPage(cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.apps, 'page', cursor],
    queryFn: () => api.get<Page<App>>('/v1/apps', { limit: 25, cursor }),
  });
}

export function useApp(appId: string) {
  return useQuery({ queryKey: queryKeys.app(appId), queryFn: () => api.get<App>(`/v1/apps/${encodeURIComponent(appId)}`) });
}

export function useCreateApp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAppRequest) => api.post<App>('/v1/apps', body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apps }),
  });
}

export function useUpdateApp(appId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateAppRequest) => api.patch<App>(`/v1/apps/${encodeURIComponent(appId)}`, body),
    onSuccess: (app) => {
      client.setQueryData(queryKeys.app(appId), app);
      return client.invalidateQueries({ queryKey: queryKeys.apps });
    },
  });
}

export function useDeleteApp(appId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<void>(`/v1/apps/${encodeURIComponent(appId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apps }),
  });
}
