import type { AccessLogEntry, Granularity, UsageEvent } from '@keywarden/core';
import type { Queryable } from './queryable';

/**
 * The usage ledger: access_log (raw events), usage_rollups (minute/hour/day sums),
 * processed_batches and reported_requests (exactly-once bookkeeping). Every statement on
 * them: the worker writes (one batch = a claim and one apply statement), the API and the
 * detection runner read. Applying a batch also advances api_keys.last_used_at in the same
 * statement, so that it commits with the events. access_log's daily partitions are made
 * and dropped here too (the worker decides when).
 */

/** Unknown ids named in a log line and a refusal at most. */
export const FOREIGN_IDS_SHOWN = 5;

/**
 * Claims the batchId, but only for a batch whose every workspace, and every key within its
 * workspace, exists here: a batch from another deployment's API (one that shares the Redis
 * and, misconfigured, the queue namespace) is refused instead of written. One statement,
 * so the check costs no round trip.
 */
const CLAIM_SQL = `
WITH refs AS (
  SELECT DISTINCT workspace_id, key_id FROM unnest($3::text[], $4::text[]) AS t(workspace_id, key_id)
),
unknown_workspaces AS (
  SELECT DISTINCT r.workspace_id FROM refs r
  WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = r.workspace_id)
),
unknown_keys AS (
  SELECT DISTINCT r.key_id FROM refs r
  WHERE r.key_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = r.key_id AND k.workspace_id = r.workspace_id)
),
claimed AS (
  INSERT INTO processed_batches (batch_id, events)
  SELECT $1, $2
  WHERE NOT EXISTS (SELECT 1 FROM unknown_workspaces) AND NOT EXISTS (SELECT 1 FROM unknown_keys)
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM claimed)::int AS claimed,
       ARRAY(SELECT workspace_id FROM unknown_workspaces ORDER BY 1 LIMIT ${FOREIGN_IDS_SHOWN}) AS unknown_workspaces,
       ARRAY(SELECT key_id FROM unknown_keys ORDER BY 1 LIMIT ${FOREIGN_IDS_SHOWN}) AS unknown_keys`;

export interface BatchClaim {
  /** The batchId was new: this transaction applies the batch. */
  claimed: boolean;
  /** Up to FOREIGN_IDS_SHOWN workspaces / keys of the batch that this database does not hold. */
  unknownWorkspaces: string[];
  unknownKeys: string[];
}

export async function claimUsageBatch(db: Queryable, batchId: string, events: UsageEvent[]): Promise<BatchClaim> {
  const [row]: Array<{ claimed: number; unknown_workspaces: string[]; unknown_keys: string[] }> = await db.query(CLAIM_SQL, [
    batchId,
    events.length,
    events.map((event) => event.workspaceId),
    events.map((event) => event.keyId ?? null),
  ]);
  return { claimed: row.claimed > 0, unknownWorkspaces: row.unknown_workspaces, unknownKeys: row.unknown_keys };
}

/**
 * Claims (workspace, requestId) of reported events; answers the pairs that were fresh
 * (never counted before), as `workspace\u0000requestId`.
 */
export async function claimReportedRequests(db: Queryable, reports: UsageEvent[]): Promise<Set<string>> {
  const fresh: Array<{ workspace_id: string; request_id: string }> = await db.query(
    `INSERT INTO reported_requests (workspace_id, request_id)
     SELECT DISTINCT w, r FROM unnest($1::text[], $2::text[]) AS t(w, r) ORDER BY w, r
     ON CONFLICT DO NOTHING
     RETURNING workspace_id, request_id`,
    [reports.map((event) => event.workspaceId), reports.map((event) => event.requestId)],
  );
  return new Set(fresh.map((row) => reportKey(row.workspace_id, row.request_id)));
}

/**
 * The requestIds among `requestIds` that a worker has already counted for the workspace
 * (claimed in reported_requests): a report naming one again is a replay.
 */
export async function countedReportedRequests(db: Queryable, workspaceId: string, requestIds: string[]): Promise<Set<string>> {
  if (requestIds.length === 0) return new Set();
  const rows: Array<{ request_id: string }> = await db.query(
    `SELECT request_id FROM reported_requests WHERE workspace_id = $1 AND request_id = ANY($2::text[])`,
    [workspaceId, requestIds],
  );
  return new Set(rows.map((row) => row.request_id));
}

/** The bookkeeping tables the worker purges by age, with the column each is aged by (indexed). */
const PURGED_BY_AGE = { reported_requests: 'created_at', processed_batches: 'processed_at' } as const;

/**
 * Deletes the rows of a bookkeeping table (claims of reported requestIds, of batches) made
 * before `cutoff`, `batchSize` rows per statement (each its own short transaction, so the
 * pipeline's claims are not held up), until none is left; answers how many went. The age
 * column's index finds a batch, and its rows are deleted by their physical address (ctid)
 * without a second lookup.
 */
export async function purgeClaimsBefore(db: Queryable, table: keyof typeof PURGED_BY_AGE, cutoff: Date, batchSize: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const [{ n }]: Array<{ n: number }> = await db.query(
      `WITH gone AS (
         DELETE FROM ${table}
          WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${PURGED_BY_AGE[table]} < $1 LIMIT $2))
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff.toISOString(), batchSize],
    );
    purged += n;
    if (n < batchSize) return purged;
  }
}

export function reportKey(workspaceId: string, requestId: string | null): string {
  return `${workspaceId}\u0000${requestId}`;
}

/** The largest value of a PostgreSQL bigint (2^63 - 1), as SQL. */
const BIGINT_MAX = '9223372036854775807';

/**
 * One statement. access_log takes the events (an event id already logged at the same
 * timestamp is skipped), and only the rows actually logged feed the rollups and
 * last_used_at, so rollup sums always equal access_log rows. All three granularities in
 * one upsert; rows are sorted by the primary key so that
 * concurrent batches take rollup row locks in the same order (no deadlocks between them).
 * Unit and cost sums stop at the largest bigint instead of overflowing: a key that reports
 * absurd amounts must not fail the batch, and with it the other events it carries.
 */
const APPLY_SQL = `
WITH ev AS (
  SELECT *
  FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::text[], $9::text[], $10::text[], $11::int[], $12::text[], $13::bigint[], $14::bigint[],
              $15::real[], $16::text[], $17::text[])
    AS t(id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip, units,
         cost_micros, latency_ms, request_id, customer_id)
),
logged AS (
  INSERT INTO access_log (id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip,
                          units, cost_micros, latency_ms, request_id, customer_id)
  SELECT id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip, units, cost_micros,
         latency_ms, request_id, customer_id
  FROM ev
  ON CONFLICT DO NOTHING
  RETURNING ts, workspace_id, app_id, key_id, model, outcome, units, cost_micros, customer_id
),
used AS (
  UPDATE api_keys k
  SET last_used_at = GREATEST(k.last_used_at, u.last_ts)
  FROM (SELECT key_id, max(ts) AS last_ts FROM logged WHERE outcome = 'VALID' AND key_id IS NOT NULL GROUP BY key_id) u
  WHERE k.id = u.key_id
  RETURNING 1
),
rolled AS (
  INSERT INTO usage_rollups AS r (granularity, bucket, workspace_id, app_id, key_id, model, outcome, customer_id,
                                  requests, units, cost_micros)
  SELECT g.granularity, date_trunc(g.granularity, l.ts, 'UTC'), l.workspace_id, coalesce(l.app_id, ''),
         coalesce(l.key_id, ''), coalesce(l.model, ''), l.outcome, coalesce(l.customer_id, ''), count(*),
         LEAST(sum(l.units), ${BIGINT_MAX}), LEAST(sum(l.cost_micros), ${BIGINT_MAX})
  FROM logged l CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(granularity)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ORDER BY 1, 3, 2, 4, 5, 6, 7, 8
  ON CONFLICT (granularity, workspace_id, bucket, app_id, key_id, model, outcome, customer_id) DO UPDATE
  SET requests = r.requests + excluded.requests,
      units = LEAST(r.units::numeric + excluded.units, ${BIGINT_MAX}),
      cost_micros = LEAST(r.cost_micros::numeric + excluded.cost_micros, ${BIGINT_MAX})
  RETURNING 1
)
SELECT (SELECT count(*) FROM logged)::int AS logged,
       (SELECT count(*) FROM used)::int AS keys_touched,
       (SELECT count(*) FROM rolled)::int AS rollup_rows`;

/** Writes the events (an event already logged is skipped); answers how many were logged. */
export async function applyUsageEvents(db: Queryable, events: UsageEvent[]): Promise<number> {
  const [row]: Array<{ logged: number }> = await db.query(APPLY_SQL, columns(events));
  return row.logged;
}

export interface RollupRow {
  bucket: Date;
  dim?: string;
  requests: string;
  units: string;
  cost_micros: string;
}

export const ROLLUP_GROUP_COLUMN = { model: 'model', outcome: 'outcome', key: 'key_id', customer: 'customer_id' } as const;

export interface RollupQuery {
  granularity: Granularity;
  workspaceId: string;
  /** One key's, one customer's or one app's usage. */
  keyId?: string;
  customerId?: string;
  appId?: string;
  /** A customer's keys may span apps: a caller limited to some apps sees their share only. */
  onlyAppIds?: string[] | null;
  /** A key's events while it belonged to this customer only (a key may move between customers). */
  onlyCustomerId?: string;
  from: Date;
  to: Date;
  model?: string;
  groupBy?: keyof typeof ROLLUP_GROUP_COLUMN;
}

/**
 * Sums per bucket (and per group). Buckets are aligned to the granularity in UTC; a
 * bucket belongs to the range when it overlaps it.
 */
export function rollupSeries(db: Queryable, query: RollupQuery): Promise<RollupRow[]> {
  const params: unknown[] = [query.granularity, query.workspaceId, query.keyId ?? query.customerId ?? query.appId, query.from, query.to];
  const scopeColumn = query.keyId !== undefined ? 'key_id' : query.customerId !== undefined ? 'customer_id' : 'app_id';
  let filters = '';
  if (query.model !== undefined) {
    params.push(query.model);
    filters = `AND model = $${params.length}`;
  }
  if (query.onlyAppIds) {
    params.push(query.onlyAppIds);
    filters += ` AND app_id = ANY($${params.length}::text[])`;
  }
  if (query.onlyCustomerId !== undefined) {
    params.push(query.onlyCustomerId);
    filters += ` AND customer_id = $${params.length}`;
  }
  const column = query.groupBy ? ROLLUP_GROUP_COLUMN[query.groupBy] : null;
  return db.query(
    `SELECT bucket, ${column ? `${column} AS dim,` : ''}
            sum(requests)::text AS requests, sum(units)::text AS units, sum(cost_micros)::text AS cost_micros
       FROM usage_rollups
      WHERE granularity = $1 AND workspace_id = $2 AND ${scopeColumn} = $3
        AND bucket >= date_trunc('${query.granularity}', $4::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        AND bucket < $5 ${filters}
      GROUP BY bucket${column ? ', dim' : ''}
      ORDER BY bucket${column ? ', dim' : ''}`,
    params,
  );
}

export interface AccessLogRow {
  id: string;
  ts: Date;
  /** The timestamp at full precision, for cursors. */
  ts_text: string;
  kind: AccessLogEntry['kind'];
  route: string;
  scope: string | null;
  model: string | null;
  outcome: string;
  status: number;
  ip: string | null;
  units: string;
  cost_micros: string;
  latency_ms: number;
  request_id: string | null;
  customer_id: string | null;
}

export interface AccessLogQuery {
  workspaceId: string;
  keyId: string;
  from?: Date;
  to?: Date;
  outcome?: string;
  model?: string;
  /** (ts_text, id) of the last entry of the previous page. */
  after?: [string, string];
  take: number;
}

/** One key's access log, newest first. */
export function accessLogOfKey(db: Queryable, query: AccessLogQuery): Promise<AccessLogRow[]> {
  const params: unknown[] = [query.keyId, query.workspaceId];
  const where: string[] = ['key_id = $1', 'workspace_id = $2'];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (query.from) add((n) => `ts >= $${n}`, query.from);
  if (query.to) add((n) => `ts < $${n}`, query.to);
  if (query.outcome !== undefined) add((n) => `outcome = $${n}`, query.outcome);
  if (query.model !== undefined) add((n) => `model = $${n}`, query.model);
  if (query.after) {
    params.push(query.after[0], query.after[1]);
    where.push(`(ts, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(query.take);
  return db.query(
    `SELECT id, ts, ts::text AS ts_text, kind, route, scope, model, outcome, status, ip,
            units::text AS units, cost_micros::text AS cost_micros, latency_ms, request_id, customer_id
       FROM access_log
      WHERE ${where.join(' AND ')}
      ORDER BY ts DESC, id DESC
      LIMIT $${params.length}`,
    params,
  );
}

/** The oldest minute bucket of an app's key traffic within [from, to], or null. */
export async function firstMinuteWithTraffic(db: Queryable, appId: string, from: Date, to: Date): Promise<Date | null> {
  const [row]: Array<{ first: Date | null }> = await db.query(
    `SELECT min(bucket) AS first FROM usage_rollups
     WHERE granularity = 'minute' AND app_id = $1 AND app_id <> '' AND key_id <> '' AND bucket >= $2 AND bucket <= $3`,
    [appId, from, to],
  );
  return row?.first ?? null;
}

/** Requests per minute, key and model (all outcomes) of one app in [from, to]; '' means no model. */
export function minuteCountsOfApp(
  db: Queryable,
  appId: string,
  from: Date,
  to: Date,
): Promise<Array<{ bucket: Date; key_id: string; model: string; count: string }>> {
  return db.query(
    `SELECT bucket, key_id, model, sum(requests)::bigint AS count FROM usage_rollups
     WHERE granularity = 'minute' AND app_id = $1 AND app_id <> '' AND key_id <> '' AND bucket >= $2 AND bucket <= $3
     GROUP BY bucket, key_id, model
     ORDER BY bucket, key_id, model`,
    [appId, from, to],
  );
}

/** Column arrays for unnest, in APPLY_SQL's parameter order. */
function columns(events: UsageEvent[]): unknown[] {
  const pick = <T>(get: (event: UsageEvent) => T): T[] => events.map(get);
  return [
    pick((e) => e.id),
    pick((e) => e.timestamp),
    pick((e) => e.workspaceId),
    pick((e) => e.appId ?? null),
    pick((e) => e.keyId ?? null),
    pick((e) => e.kind),
    pick((e) => e.route),
    pick((e) => e.scope ?? null),
    pick((e) => e.model ?? null),
    pick((e) => e.outcome),
    pick((e) => Math.trunc(e.status)),
    pick((e) => e.ip ?? null),
    pick((e) => Math.trunc(e.units)),
    pick((e) => Math.trunc(e.costMicros)),
    pick((e) => e.latencyMs),
    pick((e) => e.requestId ?? null),
    pick((e) => e.customerId ?? null),
  ];
}

/** What `keyTraffic` answers. */
export interface KeyTraffic {
  requests: number;
  topIps: Array<{ value: string; requests: number }>;
  topModels: Array<{ value: string; requests: number }>;
}

/**
 * One key's traffic in [from, to]: the request count and the `limit` most frequent client
 * IPs and models (most requests first, then by value). One statement, one scan of the
 * key's rows: a leak report reads it beside its transaction, on the revocation's path.
 */
export async function keyTraffic(db: Queryable, keyId: string, from: Date, to: Date, limit: number): Promise<KeyTraffic> {
  const top = (column: 'ip' | 'model') =>
    `(SELECT coalesce(json_agg(json_build_object('value', value, 'requests', requests) ORDER BY requests DESC, value), '[]')
        FROM (SELECT ${column} AS value, count(*) AS requests FROM key_rows WHERE ${column} IS NOT NULL
               GROUP BY ${column} ORDER BY count(*) DESC, ${column} LIMIT $4) top)`;
  const [row]: Array<{ requests: string; top_ips: KeyTraffic['topIps']; top_models: KeyTraffic['topModels'] }> = await db.query(
    `WITH key_rows AS MATERIALIZED (SELECT ip, model FROM access_log WHERE key_id = $1 AND ts >= $2 AND ts <= $3)
     SELECT (SELECT count(*) FROM key_rows) AS requests, ${top('ip')} AS top_ips, ${top('model')} AS top_models`,
    [keyId, from, to, limit],
  );
  return { requests: Number(row.requests), topIps: row.top_ips, topModels: row.top_models };
}

/** Serialises partition maintenance across worker processes. */
const PARTITION_LOCK = 0x6b77_5041; // 'kwPA'
/** `access_log_YYYYMMDD`: the UTC day a daily partition holds. */
export const ACCESS_LOG_PARTITION_NAME = /^access_log_(\d{4})(\d{2})(\d{2})$/;

/** `access_log_YYYYMMDD` for the UTC day containing `ms`. */
export function accessLogPartitionName(ms: number): string {
  return `access_log_${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** DDL cannot take parameters: only names of the daily scheme are ever spliced in. */
function dailyPartition(name: string): string {
  if (!ACCESS_LOG_PARTITION_NAME.test(name)) throw new Error(`not an access_log partition name: ${name}`);
  return name;
}

/** Names of access_log's partitions (the default one included). */
export async function accessLogPartitions(db: Queryable): Promise<string[]> {
  const rows: Array<{ name: string }> = await db.query(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'access_log'::regclass ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/**
 * Creates the daily partition `name` for [from, to); answers the rows moved into it from
 * the default partition, or null when it exists already (another worker made it). Run it
 * in a transaction: the moved rows are copied aside, deleted from the default partition
 * and inserted back through the parent once the partition exists.
 */
export async function createAccessLogPartition(db: Queryable, name: string, from: Date, to: Date): Promise<number | null> {
  const table = dailyPartition(name);
  await db.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK]);
  const [{ present }] = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
  if (present) return null;
  const range = [from.toISOString(), to.toISOString()];
  // Creating a partition next to a DEFAULT one takes ACCESS EXCLUSIVE on it anyway.
  // Lock the parent first (the order inserts use: parent, then partition) so that no
  // row for the day can reach the default partition between the move and the create,
  // and give up quickly (next run retries) rather than queue every insert behind us.
  await db.query(`SET LOCAL lock_timeout = '5s'`);
  await db.query(`LOCK TABLE access_log IN ACCESS EXCLUSIVE MODE`);
  await db.query(
    `CREATE TEMP TABLE access_log_moving ON COMMIT DROP AS
     SELECT * FROM access_log_default WHERE ts >= $1 AND ts < $2`,
    range,
  );
  const [{ moved }] = await db.query(
    `WITH gone AS (DELETE FROM access_log_default WHERE ts >= $1 AND ts < $2 RETURNING 1)
     SELECT count(*)::int AS moved FROM gone`,
    range,
  );
  await db.query(`CREATE TABLE ${table} PARTITION OF access_log FOR VALUES FROM ('${range[0]}') TO ('${range[1]}')`);
  if (moved > 0) await db.query(`INSERT INTO access_log SELECT * FROM access_log_moving`);
  return moved as number;
}

/** Drops the daily partition `name`; false when it is gone already. Run it in a transaction. */
export async function dropAccessLogPartition(db: Queryable, name: string): Promise<boolean> {
  const table = dailyPartition(name);
  await db.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK]);
  const [{ present }] = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
  if (!present) return false;
  await db.query(`SET LOCAL lock_timeout = '5s'`);
  await db.query(`DROP TABLE ${table}`);
  return true;
}

/** Deletes the default partition's rows older than `cutoff`; answers how many. */
export async function purgeDefaultAccessLog(db: Queryable, cutoff: Date): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await db.query(
    `WITH gone AS (DELETE FROM access_log_default WHERE ts < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [cutoff.toISOString()],
  );
  return n;
}
