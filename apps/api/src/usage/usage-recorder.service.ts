import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { encodeUsageBatch, JOBS, newId, QUEUES, type UsageBatchJob, type UsageBatchJobData, type UsageEvent } from '@keywarden/core';
import { createRedisClient, queuePrefixOf, withinRedisDeadline } from '@keywarden/platform';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { UsageSpool } from './usage-spool';

/** A Redis that is up answers in well under this; beyond, the batch is retried later. */
const ENQUEUE_TIMEOUT_MS = 2_000;
const SHUTDOWN_FLUSH_TIMEOUT_MS = 5_000;
/** Spooled batches enqueued per round trip on replay. */
const REPLAY_BATCHES = 20;
/** Longest one flush spends replaying, so that new events keep moving out of the buffer. */
const REPLAY_SLICE_MS = 250;

/** The producer side of the usage queue, as the recorder uses it. */
type QueueProducer = Pick<Queue<UsageBatchJobData>, 'add' | 'addBulk' | 'close'>;

/** A batch as a queue job: its batchId is the job id, so a retried enqueue cannot count twice. */
function usageJobOf(job: UsageBatchJob) {
  return {
    name: JOBS.usageBatch,
    // The compact form: a fifth of the plain form's JSON (core's usage-batch).
    data: encodeUsageBatch(job),
    opts: {
      jobId: job.batchId,
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
      attempts: 20,
      backoff: { type: 'exponential' as const, delay: 1_000 },
    },
  };
}

/**
 * Usage events → one BullMQ job per batch, off the request path. `record` only pushes
 * onto a bounded in-memory buffer; a timer (or a full batch) flushes. A batch that
 * cannot be enqueued keeps its batchId and is retried: the job id is the batchId and the
 * worker applies a batchId once, so a retry after an ambiguous failure cannot count twice.
 *
 * With a disk spool (`KW_USAGE_SPOOL_DIR`), a batch Redis cannot take goes to the spool
 * instead of waiting in memory, and so do all later batches while the spool holds any:
 * batches reach the queue in the order they were made. Once Redis is back the spool is
 * replayed, oldest first, between new batches. Past the spool's size cap, batches are
 * dropped and counted. Beyond `bufferMax` events held in memory, new events are dropped
 * and counted.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private buffer: UsageEvent[] = [];
  /** Batches whose enqueue failed, oldest first. */
  private readonly retries: UsageBatchJob[] = [];
  private retryEvents = 0;
  private flushing?: Promise<void>;
  /** The batch whose last send failed (logged when it goes through). */
  private failedBatchId?: string;
  private timer?: NodeJS.Timeout;
  private redis?: Redis;
  private queue?: QueueProducer;
  private spool?: UsageSpool;
  private spoolFull = false;
  private lastFailureLog = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {
    metrics.bufferSize = () => this.held();
    metrics.spoolSize = () => this.spool?.bytes ?? 0;
  }

  get enabled(): boolean {
    return this.config.usage.metering;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const { spoolDir, spoolMaxBytes } = this.config.usage;
    if (spoolDir) {
      this.spool = await UsageSpool.open(spoolDir, spoolMaxBytes);
      if (!this.spool.empty) this.logger.log(`usage spool holds ${this.spool.bytes} bytes from an earlier run: replaying once Redis takes them`);
    }
    // Fail fast while Redis is away: the batch goes back to the buffer instead of piling
    // up in ioredis' offline queue.
    this.queue = this.createQueue();
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  /** The producer side of QUEUES.usage, in the deployment's queue namespace, on a connection of its own (overridden in tests). */
  protected createQueue(): QueueProducer {
    // Reconnects on its own; failures are counted per batch and logged at most every 10 s.
    this.redis = createRedisClient(this.config.redisUrl, 'UsageRecorderRedis');
    const queue = new Queue<UsageBatchJobData>(QUEUES.usage, { connection: this.redis, prefix: queuePrefixOf(this.config) });
    queue.on('error', () => undefined);
    return queue;
  }

  /** Events held in memory: waiting plus awaiting a retry. */
  held(): number {
    return this.buffer.length + this.retryEvents;
  }

  /** Never throws, never waits. */
  record(event: UsageEvent): void {
    if (!this.enabled) return;
    if (this.held() >= this.config.usage.bufferMax) {
      this.metrics.usageDropped.inc({ reason: 'buffer_full' });
      return;
    }
    this.buffer.push(event);
    this.metrics.usageAccepted.inc();
    if (this.buffer.length >= this.config.usage.batchSize && !this.flushing) setImmediate(() => void this.flush());
  }

  /** All or none (reported usage): false when the buffer cannot take them all. */
  recordAll(events: UsageEvent[]): boolean {
    if (!this.enabled) return true;
    if (this.held() + events.length > this.config.usage.bufferMax) {
      this.metrics.usageDropped.inc({ reason: 'buffer_full_report' }, events.length);
      return false;
    }
    for (const event of events) this.buffer.push(event);
    this.metrics.usageAccepted.inc(events.length);
    if (this.buffer.length >= this.config.usage.batchSize && !this.flushing) setImmediate(() => void this.flush());
    return true;
  }

  /** Enqueues everything held; one flush at a time. Resolves when this round is done. */
  flush(): Promise<void> {
    if (!this.queue) return Promise.resolve();
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    // Only what is held now: events arriving meanwhile wait for the next tick (or a full
    // batch), so batches stay large under load instead of trickling out one enqueue each.
    let budget = this.buffer.length;
    while (this.retries.length > 0 || (budget > 0 && this.buffer.length > 0)) {
      if (this.retries.length === 0) {
        const events = this.buffer.splice(0, Math.min(this.config.usage.batchSize, budget));
        budget -= events.length;
        this.retries.push({ batchId: newId('batch'), events }); // held until enqueued or spooled
        this.retryEvents += events.length;
      }
      const job = this.retries[0];
      const retry = this.failedBatchId === job.batchId;
      if (!(await this.send(job))) {
        this.failedBatchId = job.batchId;
        return; // Redis (and the spool) are away: try again at the next tick
      }
      this.retries.shift();
      this.retryEvents -= job.events.length;
      if (retry) this.logger.log(`usage batch ${job.batchId} enqueued after a retry`);
    }
    await this.replay();
  }

  /** To the queue, or behind what the spool holds; false when neither took it. */
  private async send(job: UsageBatchJob): Promise<boolean> {
    if (!this.spool) return this.enqueue([job]);
    if (this.spool.empty && (await this.enqueue([job]))) return true;
    return this.spill(job, this.spool);
  }

  /** Appends a batch to the spool; past its cap the batch is dropped and counted (logged once per episode). */
  private async spill(job: UsageBatchJob, spool: UsageSpool): Promise<boolean> {
    let written: boolean;
    try {
      ({ written } = await spool.append(job));
    } catch (error) {
      this.logThrottled(`could not write usage batch to the spool, keeping it in memory: ${(error as Error).message}`);
      return false;
    }
    if (written) {
      this.spoolFull = false;
      this.metrics.usageSpooled.inc(job.events.length);
      return true;
    }
    this.metrics.usageDropped.inc({ reason: 'spool_full' }, job.events.length);
    if (!this.spoolFull) {
      this.spoolFull = true;
      this.logger.error(`usage spool is full (${spool.bytes} bytes, KW_USAGE_SPOOL_MAX_BYTES ${this.config.usage.spoolMaxBytes}): dropping batches until Redis takes the spooled ones`);
    }
    return true;
  }

  /** Enqueues spooled batches, oldest first, while Redis takes them (for at most REPLAY_SLICE_MS). */
  private async replay(): Promise<void> {
    const spool = this.spool;
    if (!spool || spool.empty || (this.redis && this.redis.status !== 'ready')) return;
    const started = Date.now();
    while (!spool.empty && Date.now() - started < REPLAY_SLICE_MS) {
      const unreadableBefore = spool.unreadable;
      const jobs = await spool.peek(REPLAY_BATCHES);
      this.metrics.usageSpoolUnreadable.inc(spool.unreadable - unreadableBefore);
      if (spool.unreadable > unreadableBefore) this.logger.error(`usage spool: ${spool.unreadable - unreadableBefore} unreadable batch line(s) skipped`);
      if (jobs.length === 0) return;
      if (!(await this.enqueue(jobs))) return;
      await spool.published(jobs.length);
      this.metrics.usageReplayed.inc(jobs.reduce((sum, job) => sum + job.events.length, 0));
      if (spool.empty) this.logger.log('usage spool replayed in full');
    }
  }

  private async enqueue(jobs: UsageBatchJob[]): Promise<boolean> {
    const stop = this.metrics.usageFlushSeconds.startTimer();
    try {
      const queue = this.queue as QueueProducer;
      const queued = jobs.map(usageJobOf);
      await withinRedisDeadline<unknown>(
        // One batch (every flush under load) is one script call; a bulk add builds an ioredis
        // pipeline, whose set-up copies every script the queue's connection defines.
        queued.length === 1 ? queue.add(queued[0].name, queued[0].data, queued[0].opts) : queue.addBulk(queued),
        ENQUEUE_TIMEOUT_MS,
      );
      stop();
      for (const job of jobs) {
        this.metrics.usageBatchSize.observe(job.events.length);
        this.metrics.usageEnqueued.inc(job.events.length);
      }
      return true;
    } catch (error) {
      this.metrics.usageFlushFailures.inc();
      this.logThrottled(`could not enqueue usage batch (${this.held()} events held, ${this.spool?.bytes ?? 0} spooled bytes): ${(error as Error).message}`);
      return false;
    }
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastFailureLog > 10_000) {
      this.lastFailureLog = now;
      this.logger.warn(message);
    }
  }

  /** After the HTTP server has closed: last flush, then our own Redis connection. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (!this.queue) return;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      (async () => {
        await this.flush();
        if (this.held() > 0) await this.flush();
      })(),
      new Promise((resolve) => {
        timeout = setTimeout(resolve, SHUTDOWN_FLUSH_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timeout);
    if (this.held() > 0) this.logger.warn(`shutting down with ${this.held()} usage events not enqueued`);
    if (this.spool && !this.spool.empty) this.logger.warn(`shutting down with ${this.spool.bytes} bytes of usage in the spool: replayed at the next start`);
    await this.spool?.close();
    await this.queue.close().catch(() => undefined);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
