import { type CompiledPolicy, compilePolicy, containedPolicy, effectivePolicy, rotationDeadline } from '@keywarden/core';
import type { KeyCredentialRow } from '@keywarden/db';
import type { Principal } from './principal';

/** One secret version joined with its key: everything authentication needs. */
export type CredentialRecord = KeyCredentialRow;

// Compiled once per cached record: the hot path never re-parses CIDRs or globs.
const compiled = new WeakMap<CredentialRecord, CompiledPolicy>();

export function policyOf(record: CredentialRecord): CompiledPolicy {
  let policy = compiled.get(record);
  if (!policy) {
    policy = compilePolicy(containedPolicy(effectivePolicy(record.appDefaultPolicy, record.policy), record.containment));
    compiled.set(record, policy);
  }
  return policy;
}

/** The presented secret's deadline under the rotation period; older secrets in grace keep theirs. */
export function rotationDeadlineOf(record: CredentialRecord): Date | null {
  return record.secretExpiresAt === null ? rotationDeadline(record.secretCreatedAt, policyOf(record).rotationPeriodDays) : null;
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
    policy: policyOf(record),
  };
}
