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
  environment: string;
  expiresAt: Date | null;
  /** Its effective policy (for admin keys: its own; the deployment default fills in the rate). */
  policy: CompiledPolicy;
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
  return actor.portalCustomerId ? `portal:${actor.portalCustomerId}` : actor.principal.keyId;
}
