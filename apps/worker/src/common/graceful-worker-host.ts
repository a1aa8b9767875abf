import { WorkerHost } from '@nestjs/bullmq';
import type { OnModuleDestroy } from '@nestjs/common';
import type { Worker } from 'bullmq';

/**
 * A BullMQ processor that stops taking jobs at shutdown and lets the jobs in flight
 * finish while PostgreSQL is still connected: onModuleDestroy runs before the
 * connections close in onApplicationShutdown. A job cut short by a kill is redelivered
 * once its lock expires.
 */
export abstract class GracefulWorkerHost extends WorkerHost implements OnModuleDestroy {
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
