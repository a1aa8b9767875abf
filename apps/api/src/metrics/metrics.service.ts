import { Injectable } from '@nestjs/common';
import { PrometheusMetrics } from '@keywarden/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The API's Prometheus metrics (one registry per application instance). */
@Injectable()
export class MetricsService extends PrometheusMetrics {

  readonly usageAccepted = new Counter({
    name: 'kw_usage_events_accepted_total',
    help: 'Usage events accepted into the in-memory buffer',
    registers: [this.registry],
  });

  readonly usageReportReplays = new Counter({
    name: 'kw_usage_report_replays_total',
    help: 'Reported usage items (POST /v1/usage) whose requestId an earlier report had claimed: taken, neither recorded nor charged again',
    registers: [this.registry],
  });

  readonly usageDropped = new Counter({
    name: 'kw_usage_events_dropped_total',
    help: 'Usage events dropped, by reason (buffer_full: the bounded buffer was full; spool_full: the disk spool was at its size cap)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly usageEnqueued = new Counter({
    name: 'kw_usage_events_enqueued_total',
    help: 'Usage events handed to the queue',
    registers: [this.registry],
  });

  readonly usageFlushFailures = new Counter({
    name: 'kw_usage_flush_failures_total',
    help: 'Batches that could not be enqueued (kept for a retry)',
    registers: [this.registry],
  });

  /** Set by the recorder: the events it holds right now. */
  bufferSize: () => number = () => 0;

  readonly usageBuffer = new Gauge({
    name: 'kw_usage_buffer_events',
    help: 'Usage events held in memory (waiting + awaiting a retry)',
    registers: [this.registry],
    collect: () => {
      this.usageBuffer.set(this.bufferSize());
    },
  });

  /** Set by the recorder: the bytes its disk spool holds right now. */
  spoolSize: () => number = () => 0;

  readonly usageSpoolBytes = new Gauge({
    name: 'kw_usage_spool_bytes',
    help: 'Bytes of usage batches waiting in the disk spool (KW_USAGE_SPOOL_DIR)',
    registers: [this.registry],
    collect: () => {
      this.usageSpoolBytes.set(this.spoolSize());
    },
  });

  readonly usageSpooled = new Counter({
    name: 'kw_usage_events_spooled_total',
    help: 'Usage events written to the disk spool while Redis could not take them',
    registers: [this.registry],
  });

  readonly usageReplayed = new Counter({
    name: 'kw_usage_events_replayed_total',
    help: 'Usage events enqueued from the disk spool',
    registers: [this.registry],
  });

  readonly usageSpoolUnreadable = new Counter({
    name: 'kw_usage_spool_unreadable_lines_total',
    help: 'Spooled batches that could not be read back (a line torn by a crash during its write)',
    registers: [this.registry],
  });

  readonly usageFlushSeconds = new Histogram({
    name: 'kw_usage_flush_duration_seconds',
    help: 'Time to enqueue one batch',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly usageBatchSize = new Histogram({
    name: 'kw_usage_batch_events',
    help: 'Events per enqueued batch',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });

  readonly verifies = new Counter({
    name: 'kw_verify_requests_total',
    help: 'POST /v1/keys/verify calls, by code: the answer\'s (VALID, KEY_REVOKED, ...) or, when the call itself failed, its error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly policyRejections = new Counter({
    name: 'kw_policy_rejections_total',
    help: 'Requests refused by a key policy, by code and surface (verify: app keys; management: admin keys)',
    labelNames: ['code', 'surface'] as const,
    registers: [this.registry],
  });

  readonly rateLimitReservations = new Counter({
    name: 'kw_rate_limit_reservations_total',
    help: 'Rate-limit block reservations sent to Redis, by outcome (granted, exhausted, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly leaseCommands = new Counter({
    name: 'kw_lease_redis_calls_total',
    help: 'Concurrency-lease round trips to Redis, by operation (acquire, release)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly spendReservations = new Counter({
    name: 'kw_spend_reservations_total',
    help: 'Spend budget reservations sent to Redis, by outcome (granted, exhausted, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly liveInstances = new Gauge({
    name: 'kw_live_api_instances',
    help: 'API instances this one last saw alive in Redis (fair shares of rate-limit and spend budgets divide by them)',
    registers: [this.registry],
  });

  readonly spendSyncs = new Counter({
    name: 'kw_spend_syncs_total',
    help: 'Spend sync pipelines sent to Redis',
    registers: [this.registry],
  });

  constructor() {
    super('kw_api_');
  }
}
