import { Processor } from '@nestjs/bullmq';
import { QUEUES, type WebhookDeliveryJob } from '@keywarden/core';
import { DelayedError, type Job, type WorkerOptions } from 'bullmq';
import { GracefulWorkerHost } from '../common/graceful-worker-host';
import type { WebhookConfig } from '../config/worker-config';
import { WebhookDeliveryService } from './webhook-delivery.service';

/**
 * One job per delivery (jobId = deliveryId). A failed attempt that has retries left
 * parks the same job until the next attempt's time (moveToDelayed), so a delivery is
 * never in the queue twice; the database row says what happened. At shutdown, attempts
 * in flight finish (each is bounded by the delivery timeout).
 */
@Processor(QUEUES.webhooks)
export class WebhookDeliveryProcessor extends GracefulWorkerHost {
  constructor(private readonly deliveries: WebhookDeliveryService) {
    super();
  }

  static configure(config: WebhookConfig): void {
    const options: Partial<WorkerOptions> = { concurrency: config.concurrency };
    Processor(QUEUES.webhooks, options)(WebhookDeliveryProcessor);
  }

  async process(job: Job<WebhookDeliveryJob>, token?: string): Promise<void> {
    const result = await this.deliveries.attempt(job.data.deliveryId);
    if (result.next === 'retry') {
      await job.moveToDelayed(result.at, token);
      throw new DelayedError();
    }
  }
}
