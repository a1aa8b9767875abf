import type { AdminRole, CompiledPolicy } from '@keywarden/core';

/** The authenticated caller: an admin key, or an app key (which only reaches `/v1/me`). */
export interface Principal {
  keyId: string;
  kind: 'admin' | 'app';
  workspaceId: string;
  name: string;
  prefix: string;
  role: AdminRole | null;
  scopes: string[];
  /** Admin keys: apps they may act on (null = all). */
  appIds: string[] | null;
  /** App keys: their app. */
  appId: string | null;
  /** App keys: the customer holding them, if any (their requests' usage names it). */
  customerId: string | null;
  environment: string;
  expiresAt: Date | null;
  /** Its effective policy (for admin keys: its own; the deployment default fills in the rate). */
  policy: CompiledPolicy;
}

/** A portal session acts as `portal:<customer id>`: a customer, not a key of the database. */
export const PORTAL_ACTOR_PREFIX = 'portal:';

export function isPortalPrincipal(principal: Principal): boolean {
  return principal.keyId.startsWith(PORTAL_ACTOR_PREFIX);
}

/** Who acted, from where: what every audit entry records. */
export interface Actor {
  principal: Principal;
  ip: string;
  requestId: string;
  /** Set when a customer acts through a portal session (audited as `portal:<customer id>`). */
  portalCustomerId?: string;
}

/** How the audit log and `createdBy` name who acted. */
export function actorLabel(actor: Actor): string {
  return actor.portalCustomerId ? `${PORTAL_ACTOR_PREFIX}${actor.portalCustomerId}` : actor.principal.keyId;
}
