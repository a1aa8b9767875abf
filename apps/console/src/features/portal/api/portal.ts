import type { Alert, AppKey, Page, PortalApp, PortalCreateKeyRequest, PortalMe, RotateKeyRequest, WebhookEndpoint, WithSecret, WithWebhookSecret } from '@keywarden/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateWebhookBody } from '../../../components/webhooks/CreateWebhookDialog';
import { api, ApiRequestError, setCsrfToken } from '../../../lib/api-client';
import { useKeyMutation } from '../../../lib/key-mutation';
import { useEndSession } from '../../../lib/end-session';
import { SESSION_QUERY_KEY } from '../../../lib/query-client';

const PORTAL = ['portal'] as const;
const KEYS = [...PORTAL, 'keys'] as const;
const WEBHOOKS = [...PORTAL, 'webhooks'] as const;
const keyPath = (keyId: string) => `/v1/portal/keys/${encodeURIComponent(keyId)}`;

const LINK_TOKEN = /^#token=([A-Za-z0-9_-]{1,200})$/;

/**
 * The link's single-use token, read once when the page loads and at once taken out of the
 * address bar and the history entry, so it is never bookmarked, shared or reloaded.
 */
function takeLinkToken(): string | null {
  const match = LINK_TOKEN.exec(window.location.hash);
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return match ? match[1] : null;
}

let linkToken = takeLinkToken();

/**
 * The portal session: the link's token (if the page was opened from one) exchanged for the
 * session cookie, then `/v1/portal/me`. Null when there is no session; an error when the
 * link was refused (used, expired) and no earlier session is open in this browser.
 */
export function usePortalSession() {
  return useQuery({
    queryKey: SESSION_QUERY_KEY,
    queryFn: async (): Promise<PortalMe | null> => {
      const token = linkToken;
      linkToken = null;
      let refusal: ApiRequestError | null = null;
      if (token) {
        try {
          await api.post<void>('/v1/portal/exchange', { token });
        } catch (error) {
          if (!(error instanceof ApiRequestError) || error.status !== 401) throw error;
          refusal = error;
        }
      }
      try {
        const me = await api.get<PortalMe>('/v1/portal/me');
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (!(error instanceof ApiRequestError) || error.status !== 401) throw error;
        setCsrfToken(null);
        // Not as a 401: that would read as "no session" to the query cache.
        if (refusal) throw new Error(refusal.message);
        return null;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

export function useEndPortalSession() {
  return useEndSession('/v1/portal/sessions/current');
}

/**
 * The apps a session that names no app may create keys and endpoints in (the first 100); not
 * asked for (`enabled` false) when the session names its app.
 */
export function usePortalApps(enabled: boolean) {
  return useQuery({
    queryKey: [...PORTAL, 'apps'],
    queryFn: () => api.get<Page<PortalApp>>('/v1/portal/apps', { limit: 100 }),
    select: (page) => page.data,
    enabled,
  });
}

export function usePortalKeys(cursor: string | undefined) {
  return useQuery({
    queryKey: [...KEYS, 'page', cursor],
    queryFn: () => api.get<Page<AppKey>>('/v1/portal/keys', { limit: 25, cursor }),
    placeholderData: (previous) => previous,
  });
}

export function usePortalKey(keyId: string) {
  return useQuery({ queryKey: KEY_CACHE.one(keyId), queryFn: () => api.get<AppKey>(keyPath(keyId)) });
}

const KEY_CACHE = { one: (keyId: string) => [...KEYS, 'one', keyId], lists: [...KEYS, 'page'] };

export function useCreatePortalKey() {
  return useKeyMutation((body: PortalCreateKeyRequest) => api.post<AppKey & WithSecret>('/v1/portal/keys', body), KEY_CACHE);
}

export function useRotatePortalKey(keyId: string) {
  return useKeyMutation((body: RotateKeyRequest) => api.post<AppKey & WithSecret>(`${keyPath(keyId)}/rotate`, body), KEY_CACHE);
}

export function useRevokePortalKey(keyId: string) {
  return useKeyMutation(() => api.post<AppKey>(`${keyPath(keyId)}/revoke`), KEY_CACHE);
}

export function usePortalAlerts(cursor: string | undefined) {
  return useQuery({ queryKey: [...PORTAL, 'alerts', cursor], queryFn: () => api.get<Page<Alert>>('/v1/portal/alerts', { limit: 25, cursor }) });
}

export function usePortalWebhooks(cursor: string | undefined) {
  return useQuery({ queryKey: [...WEBHOOKS, cursor], queryFn: () => api.get<Page<WebhookEndpoint>>('/v1/portal/webhooks', { limit: 25, cursor }) });
}

export function useCreatePortalWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateWebhookBody) => api.post<WebhookEndpoint & WithWebhookSecret>('/v1/portal/webhooks', body),
    onSuccess: () => client.invalidateQueries({ queryKey: WEBHOOKS }),
  });
}

export function useDeletePortalWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (endpointId: string) => api.delete<void>(`/v1/portal/webhooks/${encodeURIComponent(endpointId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: WEBHOOKS }),
  });
}
