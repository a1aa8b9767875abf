import { Inject, Injectable, Logger } from '@nestjs/common';
import type { UsageBatchJob, UsageEvent } from '@keywarden/core';
import { applyUsageEvents, claimReportedRequests, claimUsageBatch, type Queryable, reportKey } from '@keywarden/db';
import { DataSource } from 'typeorm';
import type { UsageConfig } from '../config/worker-config';
import { MetricsService } from '../metrics/metrics.service';
import { USAGE_CONFIG } from './usage.tokens';

const DAY_MS = 86_400_000;

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
  /** Events stamped more than the retention ago: not applied (see UsageRollupService). */
  expiredEvents: number;
  /** SQL statements sent for this batch, BEGIN and COMMIT included. */
  statements: number;
}

/** PostgreSQL errors worth retrying the whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

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
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
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
    if (result.expiredEvents > 0) {
      this.metrics.eventsExpired.inc(result.expiredEvents);
      this.logger.warn(`usage batch ${job.batchId}: ${result.expiredEvents} event(s) stamped more than the retention ago were not counted`);
    }
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
    // Every statement through here, so that they are counted.
    const db: Queryable = {
      query: (sql: string, params?: unknown[]) => {
        statements++;
        return runner.query(sql, params);
      },
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
      const claim = await claimUsageBatch(db, job.batchId, events);
      const foreign = claim.unknownWorkspaces.length > 0 || claim.unknownKeys.length > 0;
      if (!claim.claimed) {
        statements++;
        await runner.rollbackTransaction();
        return result({
          duplicate: !foreign,
          refused: foreign ? { workspaces: claim.unknownWorkspaces, keys: claim.unknownKeys } : null,
          accepted: 0,
          duplicateReports: 0,
          duplicateEvents: 0,
          expiredEvents: 0,
        });
      }

      const current = eventsStampedSince(events, Date.now() - this.config.retentionDays * DAY_MS);
      const fresh = await freshEvents(db, current);
      const accepted = fresh.length > 0 ? await applyUsageEvents(db, fresh) : 0;
      statements++;
      await runner.commitTransaction();
      return result({
        duplicate: false,
        refused: null,
        accepted,
        duplicateReports: current.length - fresh.length,
        duplicateEvents: fresh.length - accepted,
        expiredEvents: events.length - current.length,
      });
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

/**
 * The events stamped at `cutoff` or later. An older one is not applied: its access_log row
 * would be deleted at once (its day is past the retention), and without that row a later
 * redelivery of its batch, once the batch's claim is purged, could not be told from new usage.
 * The API refuses usage reported that old; only a batch that waited that long (a spool, a
 * queue) still holds such events.
 */
function eventsStampedSince(events: UsageEvent[], cutoff: number): UsageEvent[] {
  return events.filter((event) => Date.parse(event.timestamp) >= cutoff);
}

/** Drops reported events whose (workspace, requestId) was already counted, here or before. */
async function freshEvents(db: Queryable, events: UsageEvent[]): Promise<UsageEvent[]> {
  const reports = events.filter((event) => event.kind === 'report' && event.requestId);
  if (reports.length === 0) return events;
  const unclaimed = await claimReportedRequests(db, reports);
  return events.filter((event) => {
    if (event.kind !== 'report' || !event.requestId) return true;
    // The first occurrence in the batch takes the claim; later ones are duplicates.
    return unclaimed.delete(reportKey(event.workspaceId, event.requestId));
  });
}

/**
 * The oldest time the API stamped on an event of the batch. Reported usage is left out: its
 * timestamp is the caller's (tokens counted after the fact, hours or days ago), and would
 * show a lag the pipeline does not have.
 */
function oldestTimestamp(events: UsageEvent[]): number | null {
  let oldest: number | null = null;
  for (const event of events) {
    if (event.kind === 'report') continue;
    const ts = Date.parse(event.timestamp);
    if (!Number.isNaN(ts) && (oldest === null || ts < oldest)) oldest = ts;
  }
  return oldest;
}
