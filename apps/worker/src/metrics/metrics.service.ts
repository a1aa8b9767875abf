import { Injectable } from '@nestjs/common';
import { PrometheusMetrics } from '@keywarden/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The worker's Prometheus metrics: the one registry its modules add to. */
@Injectable()
export class MetricsService extends PrometheusMetrics {

  readonly batchesProcessed = new Counter({
    name: 'kw_usage_batches_processed_total',
    help: 'Usage batches committed for the first time.',
    registers: [this.registry],
  });

  readonly batchesDuplicate = new Counter({
    name: 'kw_usage_batches_duplicate_total',
    help: 'Usage batches skipped because their batchId was already processed.',
    registers: [this.registry],
  });

  readonly batchesRefused = new Counter({
    name: 'kw_usage_batches_refused_total',
    help: "Usage batches dead-lettered unwritten because they name workspaces or keys that are not in this deployment's database.",
    registers: [this.registry],
  });

  readonly eventsRolledUp = new Counter({
    name: 'kw_usage_events_rolled_up_total',
    help: 'Usage events written to the access log and the rollups.',
    registers: [this.registry],
  });

  readonly eventsExpired = new Counter({
    name: 'kw_usage_events_expired_total',
    help: 'Usage events not counted because they were stamped more than KW_ACCESS_LOG_RETENTION_DAYS before their batch was applied.',
    registers: [this.registry],
  });

  readonly reportsDeduplicated = new Counter({
    name: 'kw_usage_reports_deduplicated_total',
    help: 'Reported usage events dropped because their (workspace, requestId) was already counted.',
    registers: [this.registry],
  });

  readonly sqlStatements = new Counter({
    name: 'kw_usage_sql_statements_total',
    help: 'SQL statements sent to apply usage batches (BEGIN and COMMIT included).',
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'kw_usage_batch_size_events',
    help: 'Events per usage batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000],
    registers: [this.registry],
  });

  readonly batchLatency = new Histogram({
    name: 'kw_usage_batch_duration_seconds',
    help: 'Time to apply one usage batch (transaction included).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly rollupLag = new Histogram({
    name: 'kw_usage_rollup_lag_seconds',
    help: 'Commit time minus the oldest event timestamp of the batch (reported usage, stamped by its caller, left out).',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  readonly webhookAttempts = new Counter({
    name: 'kw_webhook_attempts_total',
    help: 'Webhook delivery attempts, by result: delivered (a 2xx answer) or failed (any other answer, no answer, a refused target).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly webhookAttemptDuration = new Histogram({
    name: 'kw_webhook_attempt_duration_seconds',
    help: 'Time from sending a webhook to its answer (or to the failure), per attempt.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly batchFailures = new Counter({
    name: 'kw_usage_batch_failures_total',
    help: 'Usage batch attempts that failed (the job is retried by BullMQ when it has attempts left).',
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'kw_usage_queue_depth',
    help: 'Usage batch jobs waiting or active, read from the queue on scrape.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly keyExpiryScans = new Counter({
    name: 'kw_key_expiry_scans_total',
    help: 'Completed scans for coming key deadlines (key.expiring).',
    registers: [this.registry],
  });

  constructor() {
    super();
  }
}
