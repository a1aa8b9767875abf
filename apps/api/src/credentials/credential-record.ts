import type { AdminRole } from '@keywarden/core';
import type { Principal } from './principal';

/** One secret version joined with its key: everything authentication needs. */
export interface CredentialRecord {
  keyId: string;
  workspaceId: string;
  kind: 'admin' | 'app';
  appId: string | null;
  appIds: string[] | null;
  role: AdminRole | null;
  environment: string;
  name: string;
  scopes: string[];
  status: 'active' | 'revoked' | 'disabled';
  expiresAt: Date | null;
  prefix: string;
  secretExpiresAt: Date | null;
}

export function principalOf(record: CredentialRecord): Principal {
  return {
    keyId: record.keyId,
    kind: record.kind,
    workspaceId: record.workspaceId,
    name: record.name,
    prefix: record.prefix,
    role: record.role,
    scopes: record.scopes,
    appIds: record.appIds,
    appId: record.appId,
    environment: record.environment,
    expiresAt: record.expiresAt,
  };
}
