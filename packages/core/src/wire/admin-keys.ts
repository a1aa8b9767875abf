import type { AdminRole } from '../scopes/scopes';
import type { PageQuery } from './common';
import type { KeyStatus } from './keys';
import type { AdminKeyPolicy } from './policy';

export interface AdminKey {
  id: string;
  name: string;
  prefix: string;
  /** The role it was created from, or null when scopes were given explicitly. */
  role: AdminRole | null;
  scopes: string[];
  /** Apps it may act on; null = every app of the workspace. */
  appIds: string[] | null;
  status: KeyStatus;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  /** Rate limits, IP allowlist and rotation period enforced on Keywarden's API. */
  policy: AdminKeyPolicy | null;
  /**
   * True for the workspace's last live owner key (every scope on every app, neither revoked
   * nor expired): revoking it is refused (409) until another owner key exists.
   */
  lastOwner: boolean;
}

/** Exactly one of `role` and `scopes`. */
export interface CreateAdminKeyRequest {
  name: string;
  role?: AdminRole;
  scopes?: string[];
  /** Left out: the calling key's apps (every app when it is unrestricted). */
  appIds?: string[];
  expiresAt?: string;
  policy?: AdminKeyPolicy;
}

export type ListAdminKeysQuery = PageQuery;

/** `DELETE /v1/admin-keys/:id?cascade=revoke|disable`: what happened to the keys it created. */
export interface AdminKeyCascade {
  action: 'revoke' | 'disable';
  /** The bulk operation that applied it (audited as `keys.bulk`). */
  operationId: string;
  matched: number;
  changed: number;
}

export interface AdminKeyRevocation extends AdminKey {
  cascade?: AdminKeyCascade;
}
