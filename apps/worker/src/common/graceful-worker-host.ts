import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import type { OnModuleDestroy } from '@nestjs/common';
import { foldedRedisWarnings } from '@keywarden/platform';
import type { Worker } from 'bullmq';

/**
 * A BullMQ processor that stops taking jobs at shutdown and lets the jobs in flight
 * finish while PostgreSQL is still connected: onModuleDestroy runs before the
 * connections close in onApplicationShutdown. A job cut short by a kill is redelivered
 * once its lock expires. Its lost connections are folded warnings, like every Redis
 * client's: without a listener BullMQ prints each failed reconnect as a stack on stderr.
 */
export abstract class GracefulWorkerHost extends WorkerHost implements OnModuleDestroy {
  private readonly redisWarnings = foldedRedisWarnings(this.constructor.name);

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.redisWarnings(error);
  }

  async onModuleDestroy(): Promise<void> {
    let worker: Worker;
    try {
      worker = this.worker;
    } catch {
      return; // never started (the application failed during init)
    }
    await worker.close();
  }
}
