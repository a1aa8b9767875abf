import type { PageQuery } from './common';

export const AUDIT_ACTIONS = [
  'app.created',
  'app.updated',
  'app.deleted',
  'admin_key.created',
  'admin_key.revoked',
  'console_session.created',
  'console_session.ended',
  'key.created',
  'key.updated',
  'key.rotated',
  'key.revoked',
  'key.disabled',
  'key.enabled',
  'key.expiry_set',
  'key.leak_reported',
  'key.contained',
  'key.released',
  'keys.bulk',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.tested',
  'webhook.redelivered',
  'alert.acknowledged',
  'alert.resolved',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.suspended',
  'customer.resumed',
  'portal_session.created',
  'portal_session.opened',
  'portal_session.ended',
  'alert.lifted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  id: string;
  action: AuditAction;
  /** The admin key that acted; null for the bootstrap command. */
  actorKeyId: string | null;
  /** Who acted: the admin key id, `portal:<customer id>` in the customer portal; null for the bootstrap command. */
  actor: string | null;
  targetType: 'app' | 'key' | 'admin_key' | 'webhook' | 'alert' | 'bulk_operation' | 'customer';
  targetId: string;
  ip: string | null;
  requestId: string | null;
  createdAt: string;
  /** What changed, by field name; never key material. */
  details: Record<string, unknown>;
}

export interface ListAuditQuery extends PageQuery {
  action?: AuditAction;
  targetId?: string;
  actorKeyId?: string;
  /** Who acted, as entries name it: an admin key's id, or `portal:<customer id>`. */
  actor?: string;
}
