import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  ACCESS_LOG_PARTITION_NAME,
  accessLogPartitionName,
  accessLogPartitions,
  createAccessLogPartition,
  dropAccessLogPartition,
  purgeDefaultAccessLog,
  purgeClaimsBefore,
} from '@keywarden/db';
import { REPORT_MAX_FUTURE_SKEW_MS } from '@keywarden/core';
import { DataSource } from 'typeorm';
import { USAGE_CONFIG } from './usage.tokens';
import { PeriodicJob } from '../common/periodic-job';
import type { UsageConfig } from '../config/worker-config';

const DAY_MS = 86_400_000;
/** Claims (of reported requestIds, of batchIds) deleted per statement. */
const CLAIMS_PURGE_BATCH = 10_000;

export interface MaintenanceResult {
  created: string[];
  /** Rows moved out of access_log_default into a newly created partition. */
  moved: number;
  dropped: string[];
  /** Rows older than retention deleted from access_log_default. */
  purgedDefault: number;
  /** Claims of reported requestIds deleted: no report naming them can be taken any more. */
  purgedReportedRequests: number;
  /** Claims of processed batchIds deleted: a redelivery of their batch is answered by the access log. */
  purgedProcessedBatches: number;
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Daily partitions of access_log (UTC days), on start and then every
 * KW_PARTITION_MAINTENANCE_MS (hourly by default, a timer with unref):
 *  - creates access_log_YYYYMMDD for yesterday .. today+2;
 *  - drops partitions whose day is older than KW_ACCESS_LOG_RETENTION_DAYS, and deletes
 *    rows that old from the DEFAULT partition.
 * Rows already in access_log_default for a day (the worker was down, or events came
 * late/early) would make creating that day's partition fail. They are moved: in one
 * transaction, with access_log locked, they are copied aside, deleted from the default
 * partition, the partition is created and the rows are inserted back through the parent.
 * The exclusive lock lasts milliseconds: the move is empty in normal operation because
 * partitions are made two days ahead. An advisory lock keeps several workers from
 * doing it at once; rows for days outside yesterday .. today+2 stay in the default
 * partition until retention deletes them. The statements are the usage ledger's
 * (packages/db usage.repository); this service decides which days and when.
 *
 * The same run deletes the claims of reported requestIds (reported_requests, which drop a
 * replayed report) once no replay of them can be taken: the API refuses an item stamped
 * more than the retention in the past, and a claim is made no earlier than its item's
 * stamp less the allowed clock skew. It deletes the claims of batchIds (processed_batches)
 * processed more than the retention ago too. How late a batch can come again has no bound
 * (a disk spool left by a stopped API is replayed whenever it next starts), so the claim
 * is only the quick answer to a redelivery: the worker applies no event stamped more than
 * the retention ago, and every younger event the batch held still has its access_log row
 * (and, reported, its claim), which a re-applied batch cannot add to again.
 */
@Injectable()
export class AccessLogPartitionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccessLogPartitionsService.name);
  private readonly job: PeriodicJob;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(USAGE_CONFIG) private readonly config: UsageConfig,
  ) {
    this.job = new PeriodicJob('access_log partition maintenance', config.partitionMaintenanceMs, this.logger, async () => {
      const result = await this.maintain();
      if (result.created.length || result.dropped.length || result.purgedDefault || result.purgedReportedRequests || result.purgedProcessedBatches) {
        this.logger.log(`access_log partitions: ${JSON.stringify(result)}`);
      }
    });
  }

  /** Today's partitions exist before the worker takes its first batch. */
  onApplicationBootstrap(): Promise<void> {
    return this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  async maintain(now = Date.now()): Promise<MaintenanceResult> {
    const today = dayStart(now);
    const result: MaintenanceResult = { created: [], moved: 0, dropped: [], purgedDefault: 0, purgedReportedRequests: 0, purgedProcessedBatches: 0 };
    const existing = new Set(await accessLogPartitions(this.dataSource));
    for (let offset = -1; offset <= 2; offset++) {
      const from = today + offset * DAY_MS;
      const name = accessLogPartitionName(from);
      if (existing.has(name)) continue;
      const moved = await this.dataSource.transaction((manager) => createAccessLogPartition(manager, name, new Date(from), new Date(from + DAY_MS)));
      if (moved !== null) {
        result.created.push(name);
        result.moved += moved;
      }
    }
    const cutoff = today - this.config.retentionDays * DAY_MS;
    for (const name of await accessLogPartitions(this.dataSource)) {
      const match = ACCESS_LOG_PARTITION_NAME.exec(name);
      if (!match) continue;
      const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      if (day < cutoff && (await this.dataSource.transaction((manager) => dropAccessLogPartition(manager, name)))) result.dropped.push(name);
    }
    result.purgedDefault = await purgeDefaultAccessLog(this.dataSource, new Date(cutoff));
    const replayCutoff = now - this.config.retentionDays * DAY_MS - REPORT_MAX_FUTURE_SKEW_MS;
    result.purgedReportedRequests = await purgeClaimsBefore(this.dataSource, 'reported_requests', new Date(replayCutoff), CLAIMS_PURGE_BATCH);
    const redeliveryCutoff = now - this.config.retentionDays * DAY_MS;
    result.purgedProcessedBatches = await purgeClaimsBefore(this.dataSource, 'processed_batches', new Date(redeliveryCutoff), CLAIMS_PURGE_BATCH);
    return result;
  }
}
