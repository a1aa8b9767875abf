import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { JOBS, newId, QUEUES, type UsageBatchJob, type UsageEvent } from '@keywarden/core';
import { createRedisClient, queuePrefixOf } from '@keywarden/platform';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';

/** A Redis that is up answers in well under this; beyond, the batch is retried later. */
const ENQUEUE_TIMEOUT_MS = 2_000;
const SHUTDOWN_FLUSH_TIMEOUT_MS = 5_000;

/**
 * Usage events → one BullMQ job per batch, off the request path. `record` only pushes
 * onto a bounded in-memory buffer; a timer (or a full batch) flushes. A batch that
 * cannot be enqueued keeps its batchId and is retried: the job id is the batchId and the
 * worker applies a batchId once, so a retry after an ambiguous failure cannot count twice.
 * Beyond `bufferMax` held events, new events are dropped and counted.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private buffer: UsageEvent[] = [];
  /** Batches whose enqueue failed, oldest first. */
  private readonly retries: UsageBatchJob[] = [];
  private retryEvents = 0;
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private redis?: Redis;
  private queue?: Pick<Queue<UsageBatchJob>, 'add' | 'close'>;
  private lastFailureLog = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly metrics: MetricsService,
  ) {
    metrics.bufferSize = () => this.held();
  }

  get enabled(): boolean {
    return this.config.usage.metering;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    // Fail fast while Redis is away: the batch goes back to the buffer instead of piling
    // up in ioredis' offline queue.
    this.queue = this.createQueue();
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  /** The producer side of QUEUES.usage, in the deployment's queue namespace, on a connection of its own (overridden in tests). */
  protected createQueue(): Pick<Queue<UsageBatchJob>, 'add' | 'close'> {
    // Reconnects on its own; failures are counted per batch and logged at most every 10 s.
    this.redis = createRedisClient(this.config.redisUrl, 'UsageRecorderRedis');
    const queue = new Queue<UsageBatchJob>(QUEUES.usage, { connection: this.redis, prefix: queuePrefixOf(this.config) });
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
      let job: UsageBatchJob;
      let retry = false;
      if (this.retries.length > 0) {
        job = this.retries[0];
        retry = true;
      } else {
        const events = this.buffer.splice(0, Math.min(this.config.usage.batchSize, budget));
        budget -= events.length;
        job = { batchId: newId('batch'), events };
        this.retries.push(job); // held until enqueued
        this.retryEvents += events.length;
      }
      const ok = await this.enqueue(job);
      if (!ok) return; // Redis is away: try again at the next tick
      this.retries.shift();
      this.retryEvents -= job.events.length;
      if (retry) this.logger.log(`usage batch ${job.batchId} enqueued after a retry`);
    }
  }

  private async enqueue(job: UsageBatchJob): Promise<boolean> {
    const stop = this.metrics.usageFlushSeconds.startTimer();
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (this.queue as Pick<Queue<UsageBatchJob>, 'add'>).add(JOBS.usageBatch, job, {
          jobId: job.batchId,
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
          attempts: 20,
          backoff: { type: 'exponential', delay: 1_000 },
        }),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer from Redis within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
      stop();
      this.metrics.usageBatchSize.observe(job.events.length);
      this.metrics.usageEnqueued.inc(job.events.length);
      return true;
    } catch (error) {
      this.metrics.usageFlushFailures.inc();
      const now = Date.now();
      if (now - this.lastFailureLog > 10_000) {
        this.lastFailureLog = now;
        this.logger.warn(`could not enqueue usage batch (${this.held()} events held): ${(error as Error).message}`);
      }
      return false;
    } finally {
      clearTimeout(timeout);
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
    await this.queue.close().catch(() => undefined);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
