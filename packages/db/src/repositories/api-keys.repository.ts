import {
  type AdminRole,
  type BulkKeyFilter,
  type CustomerStatus,
  type KeyContainment,
  type KeyExpiringData,
  type KeyStatus,
  type ListKeysQuery,
  type PageQuery,
  PREFIX_SEARCH_PATTERN,
  type StoredPolicy,
} from '@keywarden/core';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { type CustomerScope, likeEscaped, type Queryable, type WorkspaceReader, workspacePage } from './queryable';

/**
 * api_keys and key_secrets: the statements that go beyond the entities' plain reads and
 * writes (KeyStore in the API keeps those), for the API (authentication, listings and
 * bulk filters, app deletion, usage reports, detection settings, customers and the
 * portal) and the worker (expiry notices, alerts). Usage batches
 * advance last_used_at in the usage ledger's apply statement.
 */

/** One secret version joined with its key: everything authentication needs. */
export interface KeyCredentialRow {
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
  secretCreatedAt: Date;
  secretExpiresAt: Date | null;
  policy: StoredPolicy | null;
  /** App keys: their app's default policy. */
  appDefaultPolicy: StoredPolicy | null;
  canary: boolean;
  /** Containment in force because of a detector alert. */
  containment: KeyContainment | null;
  /** App keys held by a customer: who, whether suspended, and the policy all its keys share. */
  customerId: string | null;
  customerExternalId: string | null;
  customerStatus: CustomerStatus | null;
  customerPolicy: StoredPolicy | null;
}

const CREDENTIAL_COLUMNS = `
  SELECT k.id AS "keyId", k.workspace_id AS "workspaceId", k.kind, k.app_id AS "appId",
         k.app_ids AS "appIds", k.role, k.environment, k.name, k.scopes,
         -- A key of a deleted app is revoked, whatever its own row says.
         CASE WHEN a.deleted_at IS NOT NULL THEN 'revoked' ELSE k.status END AS status,
         k.expires_at AS "expiresAt", s.prefix, s.created_at AS "secretCreatedAt",
         s.expires_at AS "secretExpiresAt", k.policy, a.default_policy AS "appDefaultPolicy",
         k.canary, k.containment,
         c.id AS "customerId", c.external_id AS "customerExternalId", c.status AS "customerStatus",
         c.policy AS "customerPolicy"
`;

const CREDENTIAL_BY_HASH = `${CREDENTIAL_COLUMNS}
    FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
    LEFT JOIN apps a ON a.id = k.app_id
    LEFT JOIN customers c ON c.id = k.customer_id
   WHERE s.hash = $1`;

/** A key by id, with its current secret version (the one without a deadline, else the newest). */
const CREDENTIAL_BY_KEY_ID = `${CREDENTIAL_COLUMNS}
    FROM api_keys k
    JOIN LATERAL (SELECT * FROM key_secrets s WHERE s.key_id = k.id
                   ORDER BY (s.expires_at IS NULL) DESC, s.created_at DESC LIMIT 1) s ON true
    LEFT JOIN apps a ON a.id = k.app_id
    LEFT JOIN customers c ON c.id = k.customer_id
   WHERE k.id = $1`;

/** The key whose secret hashes to `hash`, or undefined. */
export async function credentialBySecretHash(db: Queryable, hash: Buffer): Promise<KeyCredentialRow | undefined> {
  const rows: KeyCredentialRow[] = await db.query(CREDENTIAL_BY_HASH, [hash]);
  return rows[0];
}

export async function credentialByKeyId(db: Queryable, keyId: string): Promise<KeyCredentialRow | undefined> {
  const rows: KeyCredentialRow[] = await db.query(CREDENTIAL_BY_KEY_ID, [keyId]);
  return rows[0];
}

/**
 * Rotation, before the new secret is added: the current secret keeps working until
 * `graceDeadline`; a secret still in the grace of an earlier rotation stops at `now`. A key
 * never has more than two live secrets, the newest and the one it replaced.
 */
export async function supersedeSecrets(db: Queryable, keyId: string, graceDeadline: Date, now: Date): Promise<void> {
  await db.query(
    `UPDATE key_secrets SET expires_at = CASE WHEN expires_at IS NULL THEN $2::timestamptz ELSE $3::timestamptz END
      WHERE key_id = $1 AND (expires_at IS NULL OR expires_at > $3)`,
    [keyId, graceDeadline, now],
  );
}

/** The key changed by a statement of another table (a new secret): its updated_at is now, which is answered. */
export async function touchKey(db: Queryable, keyId: string): Promise<Date> {
  // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
  const [rows]: [Array<{ updated_at: Date }>, number] = await db.query(`UPDATE api_keys SET updated_at = now() WHERE id = $1 RETURNING updated_at`, [keyId]);
  return rows[0].updated_at;
}

/** Those of `keyIds` that are app keys of the app (any status). */
export async function appKeyIdsAmong(db: Queryable, appId: string, keyIds: string[]): Promise<Set<string>> {
  const rows: Array<{ id: string }> = await db.query(`SELECT id FROM api_keys WHERE app_id = $1 AND kind = 'app' AND id = ANY($2::text[])`, [
    appId,
    keyIds,
  ]);
  return new Set(rows.map((row) => row.id));
}

/** Whether the admin key is the workspace's, revoked or not (an offboarded member's still names the keys it created). */
export async function isAdminKeyOfWorkspace(db: Queryable, keyId: string, workspaceId: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM api_keys WHERE id = $1 AND workspace_id = $2 AND kind = 'admin'`, [keyId, workspaceId]);
  return rows.length > 0;
}

/** A live owner key: an admin key with every scope on every app, neither revoked nor expired. */
const LIVE_OWNER_KEY = `kind = 'admin' AND status = 'active' AND app_ids IS NULL AND '*' = ANY(scopes) AND (expires_at IS NULL OR expires_at > now())`;

/**
 * The workspace's live owner key when it has exactly one, else null. A workspace always
 * keeps one, so that key cannot be revoked until another owner key exists.
 */
export async function lastLiveOwnerKeyId(db: Queryable, workspaceId: string): Promise<string | null> {
  const rows: Array<{ id: string }> = await db.query(`SELECT id FROM api_keys WHERE workspace_id = $1 AND ${LIVE_OWNER_KEY} LIMIT 2`, [workspaceId]);
  return rows.length === 1 ? rows[0].id : null;
}

/** Ids of the app's keys that are not revoked. */
export async function unrevokedKeyIdsOfApp(db: Queryable, appId: string): Promise<string[]> {
  const rows: Array<{ id: string }> = await db.query(`SELECT id FROM api_keys WHERE app_id = $1 AND status <> 'revoked'`, [appId]);
  return rows.map(({ id }) => id);
}

/** Ids of the keys a customer holds that are not revoked. */
export async function unrevokedKeyIdsOfCustomer(db: Queryable, customerId: string): Promise<string[]> {
  const rows: Array<{ id: string }> = await db.query(`SELECT id FROM api_keys WHERE customer_id = $1 AND status <> 'revoked'`, [customerId]);
  return rows.map(({ id }) => id);
}

/** How many keys the customer holds that are not revoked, and how many of them are canaries (which key listings leave out). */
export async function unrevokedKeyCountsOfCustomer(db: Queryable, customerId: string): Promise<{ keys: number; canaries: number }> {
  const [row]: Array<{ keys: number; canaries: number }> = await db.query(
    `SELECT count(*)::int AS keys, count(*) FILTER (WHERE canary)::int AS canaries FROM api_keys WHERE customer_id = $1 AND status <> 'revoked'`,
    [customerId],
  );
  return row;
}

/** The apps of the customer's keys that are not revoked: what a change to the customer reaches. */
export async function appsOfCustomerKeys(db: Queryable, customerId: string): Promise<string[]> {
  const rows: Array<{ app_id: string }> = await db.query(
    `SELECT DISTINCT app_id FROM api_keys WHERE customer_id = $1 AND status <> 'revoked' ORDER BY app_id`,
    [customerId],
  );
  return rows.map(({ app_id }) => app_id);
}

/** The customer holding the key: null for a key of none, undefined for an unknown key. */
export async function customerOfKey(db: Queryable, keyId: string): Promise<string | null | undefined> {
  const [row]: Array<{ customer_id: string | null }> = await db.query(`SELECT customer_id FROM api_keys WHERE id = $1`, [keyId]);
  return row?.customer_id;
}

/** Whether the key is an app key (not a canary) of this customer in the workspace (and of `appId`, when given). */
export async function isCustomerAppKey(db: Queryable, keyId: string, holder: CustomerScope): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM api_keys
      WHERE id = $1 AND workspace_id = $2 AND kind = 'app' AND NOT canary AND customer_id = $3 AND ($4::text IS NULL OR app_id = $4)`,
    [keyId, holder.workspaceId, holder.customerId, holder.appId],
  );
  return rows.length > 0;
}

export interface RevokedKey {
  id: string;
  environment: string;
  name: string;
  /** The display prefix of its current secret. */
  prefix: string | null;
  customerId: string | null;
  canary: boolean;
}

/** Revokes every key of the app that is not revoked yet; answers those it revoked. */
export async function revokeKeysOfApp(db: Queryable, appId: string): Promise<RevokedKey[]> {
  // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
  const [revoked]: [RevokedKey[], number] = await db.query(
    `UPDATE api_keys k SET status = 'revoked', revoked_at = now(), updated_at = now()
      WHERE k.app_id = $1 AND k.status <> 'revoked'
      RETURNING k.id, k.environment, k.name, k.customer_id AS "customerId", k.canary,
        (SELECT s.prefix FROM key_secrets s WHERE s.key_id = k.id ORDER BY s.expires_at IS NULL DESC, s.created_at DESC LIMIT 1) AS prefix`,
    [appId],
  );
  return revoked;
}

export interface AppKeyPolicies {
  id: string;
  app_id: string;
  policy: StoredPolicy | null;
  default_policy: StoredPolicy | null;
  customer_id: string | null;
  /** The policy the key's customer shares over its keys. */
  customer_policy: StoredPolicy | null;
  canary: boolean;
  /** The key's app was deleted (its keys were revoked with it). */
  app_deleted: boolean;
}

/** App keys of the workspace among `keyIds`, with their own, their app's default and their customer's policy. */
export function appKeysWithPolicies(db: Queryable, workspaceId: string, keyIds: string[]): Promise<AppKeyPolicies[]> {
  return db.query(
    `SELECT k.id, k.app_id, k.policy, a.default_policy, k.customer_id, c.policy AS customer_policy, k.canary,
            a.deleted_at IS NOT NULL AS app_deleted
       FROM api_keys k JOIN apps a ON a.id = k.app_id LEFT JOIN customers c ON c.id = k.customer_id
      WHERE k.workspace_id = $1 AND k.kind = 'app' AND k.id = ANY($2::text[])`,
    [workspaceId, keyIds],
  );
}

export interface KeyDeadlineRow {
  key_id: string;
  workspace_id: string;
  app_id: string;
  customer_id: string | null;
  canary: boolean;
  environment: string;
  name: string;
  prefix: string;
  reason: KeyExpiringData['reason'];
  /** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
  deadline: string;
  /** How many `key.expiring` the key has had for this reason so far (the deadline has moved since the last one). */
  announced: number;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * SQL: when the secret `s` of the key `k` (of the app `a`) outlives the rotation period:
 * its issue time plus the key's own period, else its app default's (the precedence of
 * core's effectivePolicy; plans set no rotation period); NULL without one. A period's days
 * are 24 hours, as core's rotationDeadline counts them on verify: an interval in days would
 * be calendar days in the session's TimeZone, an hour off across a daylight saving change.
 */
const ROTATION_DEADLINE = `s.created_at + make_interval(hours => 24 * COALESCE((k.policy ->> 'rotationPeriodDays')::int,
                                                                   (a.default_policy ->> 'rotationPeriodDays')::int))`;

/**
 * Active app keys whose expiry or rotation deadline (the current secret's, ROTATION_DEADLINE)
 * falls within the lead time and whose latest `key.expiring` for that reason (if any)
 * announced another deadline: never told, or told of a deadline that has moved since. The
 * key's earlier announcements are found through webhook_events_key_expiring_idx (the key id
 * is compared in the index's collation, or the index could not answer it).
 */
const COMING_DEADLINES = `
  WITH live AS (
    SELECT k.id, k.workspace_id, k.app_id, k.customer_id, k.canary, k.environment, k.name, k.expires_at, s.prefix,
           ${ROTATION_DEADLINE} AS rotation_deadline
      FROM api_keys k
      JOIN apps a ON a.id = k.app_id AND a.deleted_at IS NULL
      JOIN LATERAL (SELECT prefix, created_at FROM key_secrets
                     WHERE key_id = k.id AND expires_at IS NULL ORDER BY id DESC LIMIT 1) s ON true
     WHERE k.kind = 'app' AND k.status = 'active'
  ), deadlines AS (
    SELECT live.*, 'expiry' AS reason, expires_at AS at FROM live WHERE expires_at IS NOT NULL
    UNION ALL
    SELECT live.*, 'rotation_period' AS reason, rotation_deadline AS at FROM live WHERE rotation_deadline IS NOT NULL
  ), coming AS (
    SELECT d.*, to_char(d.at AT TIME ZONE 'UTC', ${ISO}) AS deadline
      FROM deadlines d
     WHERE d.at > now() AND d.at <= now() + make_interval(days => $1)
  )
  SELECT c.id AS key_id, c.workspace_id, c.app_id, c.customer_id, c.canary, c.environment, c.name, c.prefix, c.reason,
         c.deadline, told.announced
    FROM coming c
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS announced,
             (array_agg(e.data ->> 'expiresAt' ORDER BY e.occurred_at DESC, e.id DESC))[1] AS latest
        FROM webhook_events e
       WHERE e.type = 'key.expiring' AND e.data ->> 'keyId' = c.id COLLATE "default" AND e.data ->> 'reason' = c.reason) told
   WHERE told.latest IS DISTINCT FROM c.deadline
   ORDER BY c.at
   LIMIT $2`;

/** Up to `limit` coming deadlines (soonest first) within `leadDays` that the key's latest notice does not name. */
export function comingKeyDeadlines(db: Queryable, leadDays: number, limit: number): Promise<KeyDeadlineRow[]> {
  return db.query(COMING_DEADLINES, [leadDays, limit]);
}

/**
 * Sets the status of these keys, skipping those already in it and revoked ones (revoke is
 * final); answers the rows it changed.
 */
export async function setKeyStatuses(
  db: Queryable,
  keyIds: string[],
  status: 'active' | 'revoked' | 'disabled',
): Promise<Array<{ id: string; revoked_at: Date | null; updated_at: Date }>> {
  // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
  const [updated]: [Array<{ id: string; revoked_at: Date | null; updated_at: Date }>, number] = await db.query(
    `UPDATE api_keys SET status = $2, updated_at = now(),
            revoked_at = CASE WHEN $2 = 'revoked' THEN now() ELSE revoked_at END
      WHERE id = ANY($1::text[]) AND status <> $2 AND status <> 'revoked'
      RETURNING id, revoked_at, updated_at`,
    [keyIds, status],
  );
  return updated;
}

export interface SecretHashMatch {
  /** The secret's hash, hex. */
  hash: string;
  keyId: string;
  /** The secret still opens its key (no deadline, or one still ahead). */
  live: boolean;
}

/** Which of these secret hashes are ours, and whose. */
export function secretsByHash(db: Queryable, hashes: Buffer[]): Promise<SecretHashMatch[]> {
  return db.query(
    `SELECT encode(hash, 'hex') AS hash, key_id AS "keyId", (expires_at IS NULL OR expires_at > now()) AS live
       FROM key_secrets WHERE hash = ANY($1::bytea[])`,
    [hashes],
  );
}

/** One page of a workspace's keys of one kind (see `workspacePage`). */
function keysPage(db: EntityManager, workspaceId: string, kind: 'admin' | 'app', query: PageQuery, limit: number): SelectQueryBuilder<ApiKeyEntity> {
  return workspacePage(db, ApiKeyEntity, 'k', workspaceId, { query, limit }).andWhere('k.kind = :kind', { kind });
}

/**
 * SQL: the app key `k` is past its expiry, or its current secret past its rotation deadline
 * (verify answers KEY_EXPIRED); never NULL, so that NOT of it holds for the others.
 */
const EXPIRED_BY_CLOCK = `((k.expires_at IS NOT NULL AND k.expires_at <= now()) OR EXISTS (
  SELECT 1 FROM key_secrets s JOIN apps a ON a.id = k.app_id
   WHERE s.key_id = k.id AND s.expires_at IS NULL AND ${ROTATION_DEADLINE} <= now()))`;

/** Keys whose displayed status is `status`: `expired` is derived from the clock (core's displayStatus). */
function whereStatus(builder: SelectQueryBuilder<ApiKeyEntity>, status: KeyStatus): void {
  if (status === 'expired') builder.andWhere(`k.status = 'active' AND ${EXPIRED_BY_CLOCK}`);
  else if (status === 'active') builder.andWhere(`k.status = 'active' AND NOT ${EXPIRED_BY_CLOCK}`);
  else builder.andWhere('k.status = :status', { status });
}

/** Prefix-shaped searches use the prefix index; anything else the name's trigram index. */
function whereSearch(builder: SelectQueryBuilder<ApiKeyEntity>, search: string): void {
  if (PREFIX_SEARCH_PATTERN.test(search)) {
    builder.andWhere('k.id IN (SELECT s.key_id FROM key_secrets s WHERE s.prefix LIKE :prefixPattern)', {
      prefixPattern: `${likeEscaped(search)}%`,
    });
  } else {
    builder.andWhere('k.name ILIKE :namePattern', { namePattern: `%${likeEscaped(search)}%` });
  }
}

/** One page of the app keys a listing asks for. */
export function appKeysPage(db: EntityManager, reader: WorkspaceReader, query: ListKeysQuery, limit: number): Promise<ApiKeyEntity[]> {
  const builder = keysPage(db, reader.workspaceId, 'app', query, limit);
  if (reader.appIds !== null) builder.andWhere('k.app_id = ANY(:appIds)', { appIds: reader.appIds });
  if (query.appId) builder.andWhere('k.app_id = :appId', { appId: query.appId });
  if (query.environment) builder.andWhere('k.environment = :environment', { environment: query.environment });
  if (query.group) builder.andWhere('k.group = :group', { group: query.group });
  if (query.customerId) builder.andWhere('k.customer_id = :customerId', { customerId: query.customerId });
  if (query.status) whereStatus(builder, query.status);
  // Canaries stay out of ordinary listings: whoever lists keys learns nothing of them.
  builder.andWhere('k.canary = :canary', { canary: query.canary === true });
  if (query.unusedForDays !== undefined) {
    builder.andWhere(`COALESCE(k.last_used_at, k.created_at) < now() - make_interval(days => :days)`, { days: query.unusedForDays });
  }
  if (query.search) whereSearch(builder, query.search);
  return builder.getMany();
}

/** One page of admin keys; a restricted reader sees only those at most as broad as itself. */
export function adminKeysPage(db: EntityManager, reader: WorkspaceReader, query: PageQuery, limit: number): Promise<ApiKeyEntity[]> {
  const builder = keysPage(db, reader.workspaceId, 'admin', query, limit);
  if (reader.appIds !== null) builder.andWhere('k.app_ids IS NOT NULL AND k.app_ids <@ :appIds', { appIds: reader.appIds });
  return builder.getMany();
}

/** Ids of the app keys a bulk filter matches, in id order; without `ids`, canaries never match. */
export async function appKeyIdsMatching(db: EntityManager, reader: WorkspaceReader, filter: BulkKeyFilter): Promise<string[]> {
  const builder = db
    .getRepository(ApiKeyEntity)
    .createQueryBuilder('k')
    .select('k.id', 'id')
    .where(`k.workspace_id = :workspaceId AND k.kind = 'app'`, { workspaceId: reader.workspaceId })
    .orderBy('k.id', 'ASC');
  if (reader.appIds !== null) builder.andWhere('k.app_id = ANY(:appIds)', { appIds: reader.appIds });
  if (filter.ids) builder.andWhere('k.id = ANY(:ids)', { ids: filter.ids });
  else builder.andWhere('NOT k.canary');
  if (filter.appId) builder.andWhere('k.app_id = :appId', { appId: filter.appId });
  if (filter.customerId) builder.andWhere('k.customer_id = :customerId', { customerId: filter.customerId });
  if (filter.createdBy) builder.andWhere('k.created_by = :createdBy', { createdBy: filter.createdBy });
  if (filter.group) builder.andWhere('k.group = :group', { group: filter.group });
  if (filter.status) whereStatus(builder, filter.status);
  if (filter.lastUsedBefore) builder.andWhere('k.last_used_at < :lastUsedBefore', { lastUsedBefore: new Date(filter.lastUsedBefore) });
  if (filter.neverUsed === true) builder.andWhere('k.last_used_at IS NULL');
  if (filter.neverUsed === false) builder.andWhere('k.last_used_at IS NOT NULL');
  const rows: Array<{ id: string }> = await builder.getRawMany();
  return rows.map((row) => row.id);
}
