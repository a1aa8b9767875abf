import {
  type CompiledPolicy,
  compileCustomerPolicy,
  compilePolicy,
  containedPolicy,
  type CustomerRef,
  effectivePolicy,
  rotationDeadline,
  validUntil,
} from '@keywarden/core';
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

const compiledCustomer = new WeakMap<CredentialRecord, CompiledPolicy | null>();

/** The limits the key's customer shares over all its keys; null when it has none (or no customer). */
export function customerPolicyOf(record: CredentialRecord): CompiledPolicy | null {
  let policy = compiledCustomer.get(record);
  if (policy === undefined) {
    policy = record.customerPolicy === null ? null : compileCustomerPolicy(record.customerPolicy);
    compiledCustomer.set(record, policy);
  }
  return policy;
}

export function customerRefOf(record: CredentialRecord): CustomerRef | undefined {
  return record.customerId === null ? undefined : { id: record.customerId, externalId: record.customerExternalId as string };
}

/** A suspended customer's keys are refused as disabled, without touching the key itself. */
export function effectiveStatus(record: CredentialRecord): CredentialRecord['status'] {
  return record.status === 'active' && record.customerStatus === 'suspended' ? 'disabled' : record.status;
}

/**
 * The presented secret's deadline under the rotation period. It binds a secret in its
 * rotation grace too: rotating renews the key with a new secret, it does not revive an
 * old one that had already outlived the period (its grace ends at the earlier of the two).
 */
export function rotationDeadlineOf(record: CredentialRecord): Date | null {
  return rotationDeadline(record.secretCreatedAt, policyOf(record).rotationPeriodDays);
}

/** When the presented secret stops opening the key, the clock alone deciding (verify's `expiresAt`). */
export function validUntilOf(record: CredentialRecord): Date | null {
  return validUntil({ expiresAt: record.expiresAt, secretExpiresAt: record.secretExpiresAt, rotationDeadline: rotationDeadlineOf(record) });
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
    customerId: record.customerId,
    environment: record.environment,
    expiresAt: record.expiresAt,
    policy: policyOf(record),
  };
}
