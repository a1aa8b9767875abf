import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** The detection runner's metrics, in the worker's one registry. */
@Injectable()
export class DetectionMetrics {
  readonly minutesStepped: Counter<'mode'>;
  readonly incidents: Counter<'change' | 'type'>;
  readonly lag: Gauge;
  readonly runDuration: Histogram;
  readonly runFailures: Counter;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.minutesStepped = new Counter({
      name: 'kw_detection_minutes_stepped_total',
      help: 'App-minutes stepped through the detectors; mode "learn" = too old to alert (first sight, catch-up).',
      labelNames: ['mode'] as const,
      registers,
    });
    this.incidents = new Counter({
      name: 'kw_detection_incidents_total',
      help: 'Incident changes reported by the detectors (those of learn-mode minutes included).',
      labelNames: ['change', 'type'] as const,
      registers,
    });
    this.lag = new Gauge({
      name: 'kw_detection_lag_seconds',
      help: 'After the latest run: now minus the end of the last minute stepped of the app furthest behind (close delay + up to a minute when caught up).',
      registers,
    });
    this.runDuration = new Histogram({
      name: 'kw_detection_run_duration_seconds',
      help: 'Time of one detection run over all apps due.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.runFailures = new Counter({
      name: 'kw_detection_app_failures_total',
      help: 'App steps that failed (nothing of them is committed; the app is retried after a growing pause of at most 10 min).',
      registers,
    });
  }
}
