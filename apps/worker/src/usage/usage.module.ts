import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { QUEUES } from '@keywarden/core';
import { queuePrefixOf } from '@keywarden/platform';
import type { WorkerConfig } from '../config/worker-config';
import { MetricsController } from '../metrics/metrics.controller';
import { MetricsService } from '../metrics/metrics.service';
import { AccessLogPartitionsService } from './access-log-partitions.service';
import { UsageBatchProcessor } from './usage-batch.processor';
import { UsageRollupService } from './usage-rollup.service';
import { USAGE_CONFIG } from './usage.tokens';

/** The usage pipeline's consumer side: batches → access log + rollups, partitions, metrics. */
@Module({})
export class UsageModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    UsageBatchProcessor.configure(config.usage);
    return {
      module: UsageModule,
      // MetricsService is the worker's one Prometheus registry: other modules add to it.
      global: true,
      imports: [
        BullModule.forRoot({ connection: { url: config.redisUrl }, prefix: queuePrefixOf(config) }),
        BullModule.registerQueue({ name: QUEUES.usage }),
      ],
      controllers: [MetricsController],
      providers: [
        { provide: USAGE_CONFIG, useValue: config.usage },
        MetricsService,
        UsageRollupService,
        UsageBatchProcessor,
        AccessLogPartitionsService,
      ],
      exports: [MetricsService],
    };
  }
}
