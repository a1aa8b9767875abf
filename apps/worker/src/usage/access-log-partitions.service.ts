import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { USAGE_CONFIG } from './usage.tokens';
import { PeriodicJob } from '../common/periodic-job';
import type { UsageConfig } from '../config/worker-config';

const DAY_MS = 86_400_000;
/** Serialises maintenance across worker processes. */
const ADVISORY_LOCK = 0x6b77_5041; // 'kwPA'
const PARTITION_NAME = /^access_log_(\d{4})(\d{2})(\d{2})$/;

export interface MaintenanceResult {
  created: string[];
  /** Rows moved out of access_log_default into a newly created partition. */
  moved: number;
  dropped: string[];
  /** Rows older than retention deleted from access_log_default. */
  purgedDefault: number;
}

/** `access_log_YYYYMMDD` for the UTC day containing `ms`. */
export function partitionName(ms: number): string {
  return `access_log_${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '')}`;
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
 * partition until retention deletes them.
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
      if (result.created.length || result.dropped.length || result.purgedDefault) {
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
    const result: MaintenanceResult = { created: [], moved: 0, dropped: [], purgedDefault: 0 };
    const existing = new Set(await this.partitions());
    for (let offset = -1; offset <= 2; offset++) {
      const from = today + offset * DAY_MS;
      const name = partitionName(from);
      if (existing.has(name)) continue;
      const moved = await this.create(name, from, from + DAY_MS);
      if (moved !== null) {
        result.created.push(name);
        result.moved += moved;
      }
    }
    const cutoff = today - this.config.retentionDays * DAY_MS;
    for (const name of await this.partitions()) {
      const match = PARTITION_NAME.exec(name);
      if (!match) continue;
      const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      if (day < cutoff && (await this.drop(name))) result.dropped.push(name);
    }
    const [{ n }] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM access_log_default WHERE ts < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [new Date(cutoff).toISOString()],
    );
    result.purgedDefault = n;
    return result;
  }

  /** Names of access_log's partitions (the default one included). */
  async partitions(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'access_log'::regclass ORDER BY 1`,
    );
    return rows.map((row) => row.name);
  }

  /** Creates one day's partition; returns the rows moved from the default, or null if another worker made it. */
  private async create(name: string, from: number, to: number): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [ADVISORY_LOCK]);
      const [{ present }] = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
      if (present) return null;
      const range = [new Date(from).toISOString(), new Date(to).toISOString()];
      // Creating a partition next to a DEFAULT one takes ACCESS EXCLUSIVE on it anyway.
      // Lock the parent first (the order inserts use: parent, then partition) so that no
      // row for the day can reach the default partition between the move and the create,
      // and give up quickly (next run retries) rather than queue every insert behind us.
      await manager.query(`SET LOCAL lock_timeout = '5s'`);
      await manager.query(`LOCK TABLE access_log IN ACCESS EXCLUSIVE MODE`);
      await manager.query(
        `CREATE TEMP TABLE access_log_moving ON COMMIT DROP AS
         SELECT * FROM access_log_default WHERE ts >= $1 AND ts < $2`,
        range,
      );
      const [{ moved }] = await manager.query(
        `WITH gone AS (DELETE FROM access_log_default WHERE ts >= $1 AND ts < $2 RETURNING 1)
         SELECT count(*)::int AS moved FROM gone`,
        range,
      );
      await manager.query(
        `CREATE TABLE ${name} PARTITION OF access_log FOR VALUES FROM ('${range[0]}') TO ('${range[1]}')`,
      );
      if (moved > 0) await manager.query(`INSERT INTO access_log SELECT * FROM access_log_moving`);
      return moved as number;
    });
  }

  private async drop(name: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [ADVISORY_LOCK]);
      const [{ present }] = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
      if (!present) return false;
      await manager.query(`SET LOCAL lock_timeout = '5s'`);
      await manager.query(`DROP TABLE ${name}`);
      return true;
    });
  }
}
