import { Injectable, Logger } from '@nestjs/common';
import type { UsageBatchJob, UsageEvent } from '@keywarden/core';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';

/** Workspaces and keys of a batch that this deployment's database does not hold. */
export interface ForeignReferences {
  workspaces: string[];
  keys: string[];
}

export interface ApplyResult {
  /** The batchId was already in processed_batches: nothing was written. */
  duplicate: boolean;
  /**
   * Not null: the batch names workspaces or keys this database does not hold (another
   * deployment's batch); nothing was written and the batch must be dead-lettered.
   */
  refused: ForeignReferences | null;
  /** Events in the job. */
  received: number;
  /** Events written to access_log and the rollups. */
  accepted: number;
  /** Reported events dropped because their (workspace, requestId) was counted before. */
  duplicateReports: number;
  /** Events whose (timestamp, id) was already in access_log (a producer resent them). */
  duplicateEvents: number;
  /** SQL statements sent for this batch, BEGIN and COMMIT included. */
  statements: number;
}

/** Unknown ids named in a log line and a refusal at most. */
const FOREIGN_IDS_SHOWN = 5;

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

/** PostgreSQL errors worth retrying the whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * One statement. access_log takes the events (an event id already logged at the same
 * timestamp is skipped), and only the rows actually logged feed the rollups and
 * last_used_at, so rollup sums always equal access_log rows. All three granularities in
 * one upsert; rows are sorted by the primary key so that
 * concurrent batches take rollup row locks in the same order (no deadlocks between them).
 */
const APPLY_SQL = `
WITH ev AS (
  SELECT *
  FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::text[], $9::text[], $10::text[], $11::int[], $12::text[], $13::bigint[], $14::bigint[],
              $15::real[], $16::text[])
    AS t(id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip, units,
         cost_micros, latency_ms, request_id)
),
logged AS (
  INSERT INTO access_log (id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip,
                          units, cost_micros, latency_ms, request_id)
  SELECT id, ts, workspace_id, app_id, key_id, kind, route, scope, model, outcome, status, ip, units, cost_micros,
         latency_ms, request_id
  FROM ev
  ON CONFLICT DO NOTHING
  RETURNING ts, workspace_id, app_id, key_id, model, outcome, units, cost_micros
),
used AS (
  UPDATE api_keys k
  SET last_used_at = GREATEST(k.last_used_at, u.last_ts)
  FROM (SELECT key_id, max(ts) AS last_ts FROM logged WHERE outcome = 'VALID' AND key_id IS NOT NULL GROUP BY key_id) u
  WHERE k.id = u.key_id
  RETURNING 1
),
rolled AS (
  INSERT INTO usage_rollups AS r (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units,
                                  cost_micros)
  SELECT g.granularity, date_trunc(g.granularity, l.ts, 'UTC'), l.workspace_id, coalesce(l.app_id, ''),
         coalesce(l.key_id, ''), coalesce(l.model, ''), l.outcome, count(*), sum(l.units), sum(l.cost_micros)
  FROM logged l CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(granularity)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ORDER BY 1, 3, 2, 4, 5, 6, 7
  ON CONFLICT (granularity, workspace_id, bucket, app_id, key_id, model, outcome) DO UPDATE
  SET requests = r.requests + excluded.requests,
      units = r.units + excluded.units,
      cost_micros = r.cost_micros + excluded.cost_micros
  RETURNING 1
)
SELECT (SELECT count(*) FROM logged)::int AS logged,
       (SELECT count(*) FROM used)::int AS keys_touched,
       (SELECT count(*) FROM rolled)::int AS rollup_rows`;

/**
 * Applies one usage batch exactly once, in one transaction:
 *  1. claim the batchId in processed_batches (already there: a redelivery, do nothing;
 *     naming a workspace or key this database does not hold: refused, nothing written);
 *  2. claim (workspace, requestId) of reported events in reported_requests; only fresh
 *     ones count, also when the same requestId appears twice in the batch;
 *  3. one statement: raw events into access_log, minute/hour/day rollup upserts and
 *     api_keys.last_used_at for keys with a VALID outcome.
 * Two statements per batch (three with reported events) plus BEGIN/COMMIT, whatever
 * the batch size; counted per batch in ApplyResult.statements and kw_usage_sql_statements_total.
 */
@Injectable()
export class UsageRollupService {
  private readonly logger = new Logger(UsageRollupService.name);
  /** Totals since start, for benchmarks: statements / events. */
  readonly totals = { batches: 0, events: 0, statements: 0 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  async apply(job: UsageBatchJob): Promise<ApplyResult> {
    const started = process.hrtime.bigint();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.applyOnce(job);
        this.record(job, result, started);
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) {
          this.metrics.batchFailures.inc();
          throw error;
        }
        this.logger.warn(`usage batch ${job.batchId}: ${code}, retrying (attempt ${attempt + 1})`);
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
      }
    }
  }

  private record(job: UsageBatchJob, result: ApplyResult, started: bigint): void {
    this.totals.batches++;
    this.totals.events += result.received;
    this.totals.statements += result.statements;
    this.metrics.sqlStatements.inc(result.statements);
    if (result.refused) {
      this.metrics.batchesRefused.inc();
      this.logger.warn(
        `usage batch ${job.batchId} refused: it names workspaces [${result.refused.workspaces.join(', ')}] ` +
          `or keys [${result.refused.keys.join(', ')}] that are not in this deployment's database`,
      );
      return;
    }
    if (result.duplicate) {
      this.metrics.batchesDuplicate.inc();
      return;
    }
    this.metrics.batchesProcessed.inc();
    this.metrics.eventsRolledUp.inc(result.accepted);
    this.metrics.reportsDeduplicated.inc(result.duplicateReports);
    this.metrics.batchSize.observe(result.received);
    this.metrics.batchLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    const oldest = oldestTimestamp(job.events);
    if (oldest !== null) this.metrics.rollupLag.observe(Math.max(0, (Date.now() - oldest) / 1000));
  }

  private async applyOnce(job: UsageBatchJob): Promise<ApplyResult> {
    const events = job.events ?? [];
    const runner = this.dataSource.createQueryRunner();
    let statements = 0;
    const query = async <T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> => {
      statements++;
      return (await runner.query(sql, params)) as T[];
    };
    const result = (partial: Omit<ApplyResult, 'statements' | 'received'>): ApplyResult => ({
      ...partial,
      received: events.length,
      statements,
    });
    await runner.connect();
    try {
      statements++;
      await runner.startTransaction();
      const [claim] = await query<{ claimed: number; unknown_workspaces: string[]; unknown_keys: string[] }>(CLAIM_SQL, [
        job.batchId,
        events.length,
        events.map((event) => event.workspaceId),
        events.map((event) => event.keyId ?? null),
      ]);
      const foreign = claim.unknown_workspaces.length > 0 || claim.unknown_keys.length > 0;
      if (claim.claimed === 0) {
        statements++;
        await runner.rollbackTransaction();
        return result({
          duplicate: !foreign,
          refused: foreign ? { workspaces: claim.unknown_workspaces, keys: claim.unknown_keys } : null,
          accepted: 0,
          duplicateReports: 0,
          duplicateEvents: 0,
        });
      }

      const fresh = await this.freshEvents(events, query);
      let accepted = 0;
      if (fresh.length > 0) {
        const [row] = await query<{ logged: number }>(APPLY_SQL, columns(fresh));
        accepted = row.logged;
      }
      statements++;
      await runner.commitTransaction();
      return result({
        duplicate: false,
        refused: null,
        accepted,
        duplicateReports: events.length - fresh.length,
        duplicateEvents: fresh.length - accepted,
      });
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Drops reported events whose (workspace, requestId) was already counted, here or before. */
  private async freshEvents(
    events: UsageEvent[],
    query: <T>(sql: string, params?: unknown[]) => Promise<T[]>,
  ): Promise<UsageEvent[]> {
    const reports = events.filter((event) => event.kind === 'report' && event.requestId);
    if (reports.length === 0) return events;
    const fresh = await query<{ workspace_id: string; request_id: string }>(
      `INSERT INTO reported_requests (workspace_id, request_id)
       SELECT DISTINCT w, r FROM unnest($1::text[], $2::text[]) AS t(w, r) ORDER BY w, r
       ON CONFLICT DO NOTHING
       RETURNING workspace_id, request_id`,
      [reports.map((event) => event.workspaceId), reports.map((event) => event.requestId)],
    );
    const unclaimed = new Set(fresh.map((row) => `${row.workspace_id}\u0000${row.request_id}`));
    return events.filter((event) => {
      if (event.kind !== 'report' || !event.requestId) return true;
      // The first occurrence in the batch takes the claim; later ones are duplicates.
      return unclaimed.delete(`${event.workspaceId}\u0000${event.requestId}`);
    });
  }
}

function oldestTimestamp(events: UsageEvent[]): number | null {
  let oldest: number | null = null;
  for (const event of events) {
    const ts = Date.parse(event.timestamp);
    if (!Number.isNaN(ts) && (oldest === null || ts < oldest)) oldest = ts;
  }
  return oldest;
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
  ];
}
