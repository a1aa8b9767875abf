import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule } from '@keywarden/core';
import {
  accessLogRetentionEnvSchema,
  infraConfigOf,
  type InfraConfig,
  infraEnvSchema,
  integerEnv,
  parseEnv,
  pepperEnvSchema,
  pepperIsUsable,
  PLACEHOLDER_PEPPER_ISSUE,
  shutdownTimeoutEnv,
  whenValid,
} from '@keywarden/platform';
import { z } from 'zod';

const retryScheduleSchema = z.string().transform((text, context) => {
  try {
    return parseRetrySchedule(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `KW_WEBHOOK_RETRY_SCHEDULE: ${(error as Error).message}` });
    return z.NEVER;
  }
});

/**
 * What a worker's stop takes beyond KW_WEBHOOK_TIMEOUT_MS. A delivery in flight when the stop
 * begins is let end (it ends within that timeout), then its attempt is recorded and the
 * worker's connections close: a hard stop (KW_SHUTDOWN_TIMEOUT_MS) no longer than the
 * delivery timeout raced it and exited 1, a crash to a supervisor, for a hung receiver.
 */
export const SHUTDOWN_MARGIN_MS = 5_000;

/** The shortest hard stop a worker takes, and its default. */
const leastShutdownTimeoutMs = (env: { KW_WEBHOOK_TIMEOUT_MS: number }): number => env.KW_WEBHOOK_TIMEOUT_MS + SHUTDOWN_MARGIN_MS;

const workerEnvSchema = infraEnvSchema.extend({
  /** Unset: KW_WEBHOOK_TIMEOUT_MS + SHUTDOWN_MARGIN_MS, so that the hard stop leaves a delivery in flight time to end. */
  KW_SHUTDOWN_TIMEOUT_MS: shutdownTimeoutEnv.optional(),
  WORKER_PORT: integerEnv('WORKER_PORT', 0, 65535).default(8081),
  /** Usage batches processed in parallel by one worker process. */
  KW_USAGE_CONCURRENCY: integerEnv('KW_USAGE_CONCURRENCY', 1, 64).default(2),
  /**
   * BullMQ job lock and stalled-check interval: a job held by a killed worker is handed
   * to another one after at most about twice this long.
   */
  KW_USAGE_LOCK_MS: integerEnv('KW_USAGE_LOCK_MS', 500, 600_000).default(30_000),
  /** Daily access-log partitions older than this many days are dropped. */
  KW_ACCESS_LOG_RETENTION_DAYS: accessLogRetentionEnvSchema,
  /** How often partitions are created ahead and dropped after retention. */
  KW_PARTITION_MAINTENANCE_MS: integerEnv('KW_PARTITION_MAINTENANCE_MS', 1_000, 86_400_000).default(3_600_000),
  /** Opens the sealed webhook secrets: the API's pepper. */
  KW_PEPPER: pepperEnvSchema,
  /** Delays between delivery attempts, e.g. `5s,5m,30m`; jittered by ±20 %. */
  KW_WEBHOOK_RETRY_SCHEDULE: retryScheduleSchema.default(parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE)),
  /** Per attempt: connect, send, first byte and the first KiB of the answer. */
  KW_WEBHOOK_TIMEOUT_MS: integerEnv('KW_WEBHOOK_TIMEOUT_MS', 100, 60_000).default(10_000),
  /** Deliveries one worker sends in parallel. */
  KW_WEBHOOK_CONCURRENCY: integerEnv('KW_WEBHOOK_CONCURRENCY', 1, 1_000).default(50),
  /** How often the outbox is polled for new events. */
  KW_WEBHOOK_POLL_MS: integerEnv('KW_WEBHOOK_POLL_MS', 10, 60_000).default(200),
  /** Events fanned out per poll at most. */
  KW_WEBHOOK_DISPATCH_BATCH: integerEnv('KW_WEBHOOK_DISPATCH_BATCH', 1, 10_000).default(500),
  /** An endpoint whose attempts have all failed for this long is disabled (default 5 days). */
  KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS: integerEnv('KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS', 1).default(5 * 86_400),
  /** true lets deliveries reach loopback, private, link-local and metadata addresses (tests, private networks). */
  KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).default('false'),
  /** `key.expiring` is recorded this many days ahead of a key's expiry or rotation deadline. */
  KW_KEY_EXPIRING_LEAD_DAYS: integerEnv('KW_KEY_EXPIRING_LEAD_DAYS', 1, 365).default(7),
  /** How often keys are scanned for coming deadlines. */
  KW_KEY_EXPIRY_SCAN_MS: integerEnv('KW_KEY_EXPIRY_SCAN_MS', 100, 86_400_000).default(300_000),
  /** How often the detection runner looks for apps with closed minutes to step. */
  KW_DETECTION_INTERVAL_MS: integerEnv('KW_DETECTION_INTERVAL_MS', 100, 3_600_000).default(15_000),
  /** A minute is closed (stepped) this long after it ends, so that late rollups still count. */
  KW_DETECTION_CLOSE_DELAY_MS: integerEnv('KW_DETECTION_CLOSE_DELAY_MS', 0, 3_600_000).default(20_000),
  /**
   * Alerts come only from the last this many closed minutes: older minutes (first sight
   * of an app, or catching up after downtime) are learned from without alerting.
   */
  KW_DETECTION_ALERT_WINDOW_MINUTES: integerEnv('KW_DETECTION_ALERT_WINDOW_MINUTES', 1, 10_080).default(60),
})
  .refine(pepperIsUsable, PLACEHOLDER_PEPPER_ISSUE)
  .refine((env) => env.KW_SHUTDOWN_TIMEOUT_MS === undefined || env.KW_SHUTDOWN_TIMEOUT_MS >= leastShutdownTimeoutMs(env), {
    path: ['KW_SHUTDOWN_TIMEOUT_MS'],
    error: (issue) =>
      `KW_SHUTDOWN_TIMEOUT_MS must exceed KW_WEBHOOK_TIMEOUT_MS by at least ${SHUTDOWN_MARGIN_MS} ms ` +
      `(here at least ${leastShutdownTimeoutMs(issue.input as { KW_WEBHOOK_TIMEOUT_MS: number })}), ` +
      'so that a delivery in flight when the worker stops can end and be recorded; leave it unset for that',
    ...whenValid('KW_SHUTDOWN_TIMEOUT_MS', 'KW_WEBHOOK_TIMEOUT_MS'),
  })
  .transform((env) => ({ ...env, KW_SHUTDOWN_TIMEOUT_MS: env.KW_SHUTDOWN_TIMEOUT_MS ?? leastShutdownTimeoutMs(env) }));

export interface UsageConfig {
  concurrency: number;
  lockMs: number;
  retentionDays: number;
  partitionMaintenanceMs: number;
}

export interface WebhookConfig {
  pepper: string;
  retryScheduleMs: number[];
  timeoutMs: number;
  concurrency: number;
  pollMs: number;
  dispatchBatch: number;
  disableAfterFailingMs: number;
  allowPrivateTargets: boolean;
}

export interface KeyExpiryConfig {
  leadDays: number;
  scanMs: number;
}

export interface DetectionConfig {
  intervalMs: number;
  closeDelayMs: number;
  alertWindowMinutes: number;
}

export interface WorkerConfig extends InfraConfig {
  port: number;
  usage: UsageConfig;
  webhooks: WebhookConfig;
  keyExpiry: KeyExpiryConfig;
  detection: DetectionConfig;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnvSchema, env);
  return {
    ...infraConfigOf(parsed),
    port: parsed.WORKER_PORT,
    usage: {
      concurrency: parsed.KW_USAGE_CONCURRENCY,
      lockMs: parsed.KW_USAGE_LOCK_MS,
      retentionDays: parsed.KW_ACCESS_LOG_RETENTION_DAYS,
      partitionMaintenanceMs: parsed.KW_PARTITION_MAINTENANCE_MS,
    },
    webhooks: {
      pepper: parsed.KW_PEPPER,
      retryScheduleMs: parsed.KW_WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: parsed.KW_WEBHOOK_TIMEOUT_MS,
      concurrency: parsed.KW_WEBHOOK_CONCURRENCY,
      pollMs: parsed.KW_WEBHOOK_POLL_MS,
      dispatchBatch: parsed.KW_WEBHOOK_DISPATCH_BATCH,
      disableAfterFailingMs: parsed.KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS * 1_000,
      allowPrivateTargets: parsed.KW_WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    },
    keyExpiry: {
      leadDays: parsed.KW_KEY_EXPIRING_LEAD_DAYS,
      scanMs: parsed.KW_KEY_EXPIRY_SCAN_MS,
    },
    detection: {
      intervalMs: parsed.KW_DETECTION_INTERVAL_MS,
      closeDelayMs: parsed.KW_DETECTION_CLOSE_DELAY_MS,
      alertWindowMinutes: parsed.KW_DETECTION_ALERT_WINDOW_MINUTES,
    },
  };
}
