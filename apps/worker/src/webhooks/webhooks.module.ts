import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { QUEUES } from '@keywarden/core';
import type { WorkerConfig } from '../config/worker-config';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WEBHOOK_CONFIG } from './webhooks.tokens';

/** Webhook delivery: outbox → deliveries → BullMQ jobs → signed HTTP attempts. */
@Module({})
export class WebhooksModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    WebhookDeliveryProcessor.configure(config.webhooks);
    return {
      module: WebhooksModule,
      imports: [BullModule.registerQueue({ name: QUEUES.webhooks })],
      providers: [
        { provide: WEBHOOK_CONFIG, useValue: config.webhooks },
        WebhookDeliveryService,
        WebhookDeliveryProcessor,
        WebhookDispatcherService,
      ],
    };
  }
}
