import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from '@keywarden/db';
import { HealthModule, RedisModule } from '@keywarden/platform';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { RedisWatchedQueue } from './common/redis-watched-queue';
import type { WorkerConfig } from './config/worker-config';
import { KeyExpiryModule } from './keys/key-expiry.module';
import { DetectionModule } from './detection/detection.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The worker's shell: PostgreSQL, Redis and health, plus the usage pipeline (BullMQ
 * consumer, access-log partitions, /metrics). Detectors and webhook delivery plug in
 * here as further BullMQ processors.
 */
@Module({})
export class WorkerModule {
  static forConfig(config: WorkerConfig, logger: Logger): DynamicModule {
    // Read by BullModule.registerQueue: set before the modules below register their queues.
    BullModule.queueClass = RedisWatchedQueue;
    return {
      module: WorkerModule,
      imports: [
        // The HTTP server's pino instance; no per-request middleware (it cost ~10% of
        // verify's CPU): Fastify's request logger already carries the request id.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.databaseUrl), retryAttempts: 2, retryDelay: 1_000 }),
        RedisModule.forRoot(config.redisUrl),
        HealthModule,
        UsageModule.forConfig(config),
        WebhooksModule.forConfig(config),
        KeyExpiryModule.forConfig(config),
        DetectionModule.forConfig(config),
      ],
    };
  }
}
