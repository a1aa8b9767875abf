import type { Page, UpdateWebhookRequest, WebhookDelivery, WebhookEndpoint, WithWebhookSecret } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';
import type { CreateWebhookBody } from '../../../components/webhooks/CreateWebhookDialog';

const path = (id: string) => `/v1/webhooks/${encodeURIComponent(id)}`;

export function useWebhooksPage(appId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.webhooks, 'page', appId, cursor],
    queryFn: () => api.get<Page<WebhookEndpoint>>('/v1/webhooks', { appId, limit: 25, cursor }),
  });
}

export function useWebhook(id: string) {
  return useQuery({ queryKey: [...queryKeys.webhooks, 'one', id], queryFn: () => api.get<WebhookEndpoint>(path(id)) });
}

export function useDeliveries(id: string, cursor: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.webhooks, 'deliveries', id, cursor],
    queryFn: () => api.get<Page<WebhookDelivery>>(`${path(id)}/deliveries`, { limit: 20, cursor }),
    // Deliveries move on by themselves (retries): keep the page current while it is open.
    refetchInterval: 3_000,
  });
}

function useWebhookMutation<TBody, TResult>(request: (body: TBody) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: request, onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.webhooks }) });
}

export function useCreateWebhook() {
  return useWebhookMutation((body: CreateWebhookBody) => api.post<WebhookEndpoint & WithWebhookSecret>('/v1/webhooks', body));
}

export function useUpdateWebhook(id: string) {
  return useWebhookMutation((body: UpdateWebhookRequest) => api.patch<WebhookEndpoint>(path(id), body));
}

export function useDeleteWebhook(id: string) {
  return useWebhookMutation(() => api.delete<void>(path(id)));
}

export function useRotateWebhookSecret(id: string) {
  return useWebhookMutation(() => api.post<WebhookEndpoint & WithWebhookSecret>(`${path(id)}/rotate-secret`));
}

export function useTestWebhook(id: string) {
  return useWebhookMutation(() => api.post<unknown>(`${path(id)}/test`));
}

export function useRedeliver(id: string) {
  return useWebhookMutation((deliveryId: string) => api.post<WebhookDelivery>(`${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`));
}
