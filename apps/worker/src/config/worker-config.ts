import { infraConfigOf, type InfraConfig, infraEnvSchema, parseEnv } from '@keywarden/db';
import { z } from 'zod';

const workerEnvSchema = infraEnvSchema.extend({
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /**
   * BullMQ key prefix. Must be the one the API enqueues with (BullMQ's default); tests
   * set a unique one so that no other consumer on the same Redis takes their jobs.
   */
  KW_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'KW_QUEUE_PREFIX: letters, digits, _ or -').default('bull'),
  /** Usage batches processed in parallel by one worker process. */
  KW_USAGE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * BullMQ job lock and stalled-check interval: a job held by a killed worker is handed
   * to another one after at most about twice this long.
   */
  KW_USAGE_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Daily access-log partitions older than this many days are dropped. */
  KW_ACCESS_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How often partitions are created ahead and dropped after retention. */
  KW_PARTITION_MAINTENANCE_MS: z.coerce.number().int().min(1_000).default(3_600_000),
  /** `key.expiring` is recorded this many days ahead of a key's expiry or rotation deadline. */
  KW_KEY_EXPIRING_LEAD_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** How often keys are scanned for coming deadlines. */
  KW_KEY_EXPIRY_SCAN_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
});

export interface UsageConfig {
  queuePrefix: string;
  concurrency: number;
  lockMs: number;
  retentionDays: number;
  partitionMaintenanceMs: number;
}

export interface KeyExpiryConfig {
  leadDays: number;
  scanMs: number;
}

export interface WorkerConfig extends InfraConfig {
  port: number;
  usage: UsageConfig;
  keyExpiry: KeyExpiryConfig;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnvSchema, env);
  return {
    ...infraConfigOf(parsed),
    port: parsed.WORKER_PORT,
    usage: {
      queuePrefix: parsed.KW_QUEUE_PREFIX,
      concurrency: parsed.KW_USAGE_CONCURRENCY,
      lockMs: parsed.KW_USAGE_LOCK_MS,
      retentionDays: parsed.KW_ACCESS_LOG_RETENTION_DAYS,
      partitionMaintenanceMs: parsed.KW_PARTITION_MAINTENANCE_MS,
    },
    keyExpiry: {
      leadDays: parsed.KW_KEY_EXPIRING_LEAD_DAYS,
      scanMs: parsed.KW_KEY_EXPIRY_SCAN_MS,
    },
  };
}
