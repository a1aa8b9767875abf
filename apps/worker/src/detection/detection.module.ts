import { type DynamicModule, Module } from '@nestjs/common';
import { keyInvalidationChannel } from '@keywarden/core';
import { queuePrefixOf } from '@keywarden/platform';
import type { WorkerConfig } from '../config/worker-config';
import { DetectionMetrics } from './detection-metrics.service';
import { DetectionRunner } from './detection-runner.service';
import { DETECTION_CONFIG, KEY_INVALIDATION_CHANNEL } from './detection.tokens';

/** Anomaly detection on closed minute rollups: alerts and their outbox events. */
@Module({})
export class DetectionModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: DetectionModule,
      providers: [
        { provide: DETECTION_CONFIG, useValue: config.detection },
        { provide: KEY_INVALIDATION_CHANNEL, useValue: keyInvalidationChannel(queuePrefixOf(config)) },
        DetectionMetrics,
        DetectionRunner,
      ],
    };
  }
}
