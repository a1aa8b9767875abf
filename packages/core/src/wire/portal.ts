import { hasScope } from '../scopes/scopes';
import type { CustomerRef } from './customers';

/** What a portal session may do; each portal route needs one of these. */
export const PORTAL_PERMISSIONS = [
  'keys.read',
  'keys.create',
  'keys.rotate',
  'keys.revoke',
  'usage.read',
  'alerts.read',
  'webhooks.manage',
] as const;
export type PortalPermission = (typeof PORTAL_PERMISSIONS)[number];

/**
 * The management scopes that do what each portal permission lets a customer do: a link
 * grants a permission only when the key making it holds these (nobody grants what they do
 * not hold).
 */
export const PORTAL_PERMISSION_SCOPES: Readonly<Record<PortalPermission, readonly string[]>> = {
  'keys.read': ['keys.read'],
  'keys.create': ['keys.write'],
  'keys.rotate': ['keys.write'],
  'keys.revoke': ['keys.revoke'],
  'usage.read': ['usage.read'],
  'alerts.read': ['alerts.read'],
  'webhooks.manage': ['webhooks.read', 'webhooks.write'],
};

/**
 * The first scope of `PORTAL_PERMISSION_SCOPES` that `granted` lacks for `permission`:
 * undefined when a key holding `granted` may put that permission in a portal link.
 */
export function scopeNeededToGrant(granted: readonly string[], permission: PortalPermission): string | undefined {
  return PORTAL_PERMISSION_SCOPES[permission].find((scope) => !hasScope(granted, scope));
}

/** A link token can be exchanged for this long after it was issued. */
export const PORTAL_LINK_TTL_SECONDS = 300;
export const DEFAULT_PORTAL_SESSION_TTL_SECONDS = 3_600;
export const MAX_PORTAL_SESSION_TTL_SECONDS = 86_400;

/** How an app presents itself in the customer portal. */
export interface PortalBranding {
  displayName?: string;
  /** https URL of a logo image. */
  logoUrl?: string;
  /** `#rrggbb`. */
  accentColor?: string;
  /** https URL of the platform's support page. */
  supportUrl?: string;
  /** Origins (`https://host[:port]`) allowed to embed the portal in a frame. */
  allowedEmbedOrigins?: string[];
}

/** `POST /v1/portal/sessions` (scope `portal.write`): one of customerId / externalId. */
export interface CreatePortalSessionRequest {
  customerId?: string;
  externalId?: string;
  /** Limits the session to one app of the workspace. */
  appId?: string;
  permissions: PortalPermission[];
  /** Scopes keys created in the portal may carry (within the app's catalog); default: the app's whole catalog. */
  allowedScopes?: string[];
  /** How long the session lasts once the link is opened (default 3600, at most 86400). */
  ttlSeconds?: number;
}

export interface CreatePortalSessionResponse {
  /** `{public base URL}/portal#token=…`: single use, exchangeable for 5 minutes. */
  url: string;
  /**
   * The same link under the app's path, `{public base URL}/portal/<app id>#token=…`, for an
   * iframe: only pages under that path may be framed, by the app's `allowedEmbedOrigins`.
   * Null for a link that names no app.
   */
  embedUrl: string | null;
  /** When the link stops being exchangeable. */
  expiresAt: string;
}

/** `POST /v1/portal/exchange` */
export interface PortalExchangeRequest {
  token: string;
}

/**
 * An app the portal session may create keys and webhook endpoints in (`GET /v1/portal/apps`):
 * what the customer needs to choose one and fill in a key, nothing of the app's settings.
 */
export interface PortalApp {
  id: string;
  name: string;
  environments: string[];
  scopeCatalog: string[];
}

/** `GET /v1/portal/me` */
export interface PortalMe {
  customer: CustomerRef & { name: string | null };
  /**
   * The app the session is limited to, with its branding and what a key created in the
   * portal may choose from; null when it is not limited to one (`GET /v1/portal/apps`
   * then lists the apps it may act in).
   */
  app: (PortalApp & { portal: PortalBranding | null }) | null;
  permissions: PortalPermission[];
  allowedScopes: string[] | null;
  expiresAt: string;
  /** Send back as `x-csrf-token` on every POST and DELETE. */
  csrfToken: string;
}

/** `POST /v1/portal/keys` */
export interface PortalCreateKeyRequest {
  appId?: string;
  name: string;
  environment: string;
  scopes: string[];
}
