import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A process's Prometheus metrics: its own registry (not prom-client's global one, so two
 * applications in one process never clash) with the default process metrics. API and
 * worker each extend it with their counters, declared with `registers: [this.registry]`.
 */
export abstract class PrometheusMetrics {
  readonly registry = new Registry();

  /** `defaultMetricsPrefix` prefixes the process metrics (e.g. `kw_api_process_cpu_seconds_total`). */
  protected constructor(defaultMetricsPrefix?: string) {
    collectDefaultMetrics({ register: this.registry, prefix: defaultMetricsPrefix });
  }

  /** The scrape answer: the text exposition format and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
