import { type DynamicModule, Module } from '@nestjs/common';
import type { WorkerConfig } from '../config/worker-config';
import { DetectionMetrics } from './detection-metrics.service';
import { DetectionRunner } from './detection-runner.service';
import { DETECTION_CONFIG } from './detection.tokens';

/** Anomaly detection on closed minute rollups: alerts and their outbox events. */
@Module({})
export class DetectionModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: DetectionModule,
      providers: [{ provide: DETECTION_CONFIG, useValue: config.detection }, DetectionMetrics, DetectionRunner],
    };
  }
}
