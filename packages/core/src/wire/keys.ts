import type { Metadata, PageQuery } from './common';
import type { KeyContainment } from './containment';
import type { KeyPolicy } from './policy';

export const KEY_STATUSES = ['active', 'revoked', 'expired', 'disabled'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** One secret of a key: the current one, or an older one still inside its rotation grace. */
export interface KeySecretVersion {
  prefix: string;
  createdAt: string;
  /** When this secret stops working; null for the current secret. */
  expiresAt: string | null;
  current: boolean;
}

/**
 * How a change that stops keys (revoke, disable, leak, suspend) reached the API
 * instances before the call returned. Each instance listening for invalidations drops the
 * keys from its cache and confirms; the call waits for every confirmation, at most
 * `KW_REVOCATION_ACK_TIMEOUT_MS`. When `confirmed` is true, no live instance admits the
 * keys any more. When false (an instance did not confirm in time, or Redis could not be
 * reached), the change is still made: instances converge within their cache TTL, or
 * `KW_KEY_CACHE_DEGRADED_TTL_MS` while they cannot hear Redis.
 */
export interface Propagation {
  confirmed: boolean;
  /** API instances the invalidation reached (this one included); 0 when it could not be sent. */
  instances: number;
  /** Of those, how many confirmed in time. */
  acknowledged: number;
}

export interface WithPropagation {
  propagation: Propagation;
}

export interface AppKey {
  id: string;
  appId: string;
  environment: string;
  name: string;
  description: string | null;
  group: string | null;
  /** Display prefix of the current secret, e.g. `kw_live_a1B2`. */
  prefix: string;
  scopes: string[];
  metadata: Metadata;
  /** `expired`: past `expiresAt`, or its current secret overdue for its rotation period. */
  status: KeyStatus;
  createdAt: string;
  /** Id of the admin key that created it. */
  createdBy: string;
  updatedAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  /** The key's own policy (its app's default policy applies where this leaves a field out). */
  policy: KeyPolicy | null;
  /** The customer holding the key (its shared policy applies as well); null when none. */
  customerId: string | null;
  /** Secrets that currently open this key, newest first. */
  secrets: KeySecretVersion[];
  /** A canary: never valid; every use opens a critical `canary_used` alert. */
  canary: boolean;
  /** Containment in force because of a detector alert, or null. */
  containment: KeyContainment | null;
}

/** Create and rotate answers carry the full key once, and never again. */
export interface WithSecret {
  secret: string;
}

export interface CreateKeyRequest {
  appId: string;
  name: string;
  environment: string;
  /** Scopes from the app's catalog, wildcards, or presets `read` / `write` / `admin`. */
  scopes: string[];
  description?: string;
  group?: string;
  metadata?: Metadata;
  expiresAt?: string;
  policy?: KeyPolicy;
  /**
   * The customer holding the key (`cus_…`); or name it by `externalId`, not both. `null` is
   * no customer, as when left out (the way PATCH's `null` detaches one).
   */
  customerId?: string | null;
  externalId?: string;
  /**
   * A canary key, planted where only a thief would find it: verify always answers as for
   * an unknown key, and every use opens a critical `canary_used` alert.
   */
  canary?: boolean;
}

export interface UpdateKeyRequest {
  name?: string;
  description?: string | null;
  group?: string | null;
  scopes?: string[];
  metadata?: Metadata;
  expiresAt?: string | null;
  /** Replaces the key's own policy; `null` clears it (the app default applies). */
  policy?: KeyPolicy | null;
  /** Moves the key to another customer of the workspace; `null` detaches it. */
  customerId?: string | null;
}

export interface RotateKeyRequest {
  /** How long the previous secret keeps working: default 86400, 0 = immediately, max 30 days. */
  gracePeriodSeconds?: number;
}

/** `{brand}_{env}_` and up to the 4 secret characters of a display prefix. */
export const PREFIX_SEARCH_PATTERN = /^[a-z]{2,8}_[a-z0-9]{1,16}_[0-9A-Za-z]{0,4}$/;
export const MAX_KEY_SEARCH_LENGTH = 100;

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400;

export interface ListKeysQuery extends PageQuery {
  appId?: string;
  environment?: string;
  status?: KeyStatus;
  group?: string;
  customerId?: string;
  /**
   * Part of the key's name (case-insensitive), or the start of its display prefix
   * (`kw_live_AbCd`): a search shaped like a prefix looks at prefixes only.
   */
  search?: string;
  /** Stale keys: not used for at least this many days (never used: created that long ago). */
  unusedForDays?: number;
  /** `true`: canary keys only; by default lists hold ordinary keys only. */
  canary?: boolean;
}

export const BULK_KEY_ACTIONS = ['revoke', 'disable', 'enable', 'rotate', 'expire'] as const;
export type BulkKeyAction = (typeof BULK_KEY_ACTIONS)[number];

/** Which keys a bulk operation acts on: all given conditions hold (at least one is required). */
export interface BulkKeyFilter {
  appId?: string;
  /** Keys held by this customer (`cus_…`). */
  customerId?: string;
  /** Id of the admin key that created them. */
  createdBy?: string;
  group?: string;
  status?: Exclude<KeyStatus, 'revoked'> | 'revoked';
  /** Last used before this instant (never-used keys do not match; see neverUsed). */
  lastUsedBefore?: string;
  neverUsed?: boolean;
  ids?: string[];
}

export interface BulkKeysRequest {
  filter: BulkKeyFilter;
  action: BulkKeyAction;
  /** `rotate`: how long the previous secrets keep working (default 86400). */
  gracePeriodSeconds?: number;
  /** `expire`: the new expiry of every matched key (null clears it). */
  expiresAt?: string | null;
  /** Count and list the matched keys, change nothing. */
  dryRun?: boolean;
}

export interface BulkKeysResponse {
  /** Id of the operation (`bulk_…`): its audit entry, and the same answer for a retry with its idempotency key. */
  operationId: string;
  dryRun: boolean;
  matched: number;
  /** Keys the action changed (a key already in the target state is matched, not changed). */
  changed: number;
  /** Matched key ids (for a dry run, or the first 1000 otherwise). */
  keyIds: string[];
  /**
   * `rotate` only: the new secrets, shown once like every rotation's. Key id → secret.
   */
  secrets?: Record<string, string>;
  /**
   * Matched keys the action leaves as they are, key id → why, by every action and in a dry
   * run too: the refusal the single operation answers (a revoked key; for `rotate`, a key
   * past its expiry too), or "already" as the action would leave it (`Key is already
   * disabled`, `Key already has no expiry`). At most the first 1000.
   */
  skipped: Record<string, string>;
}

