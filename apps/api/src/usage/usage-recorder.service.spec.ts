import { JOBS, type UsageBatchJob, type UsageEvent } from '@keywarden/core';
import type { ApiConfig, UsageConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { UsageRecorder } from './usage-recorder.service';

class FakeQueue {
  readonly jobs: Array<{ name: string; data: UsageBatchJob; opts: Record<string, unknown> }> = [];
  down = false;

  async add(name: string, data: UsageBatchJob, opts: Record<string, unknown>) {
    if (this.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    this.jobs.push({ name, data: structuredClone(data), opts });
    return {} as never;
  }

  async close() {}
}

class TestRecorder extends UsageRecorder {
  readonly fake = new FakeQueue();
  protected override createQueue() {
    return this.fake as never;
  }
}

function event(i: number): UsageEvent {
  return {
    id: `evt_${i}`,
    timestamp: new Date(0).toISOString(),
    workspaceId: 'ws_1',
    appId: 'app_1',
    keyId: 'key_1',
    kind: 'verify',
    route: 'POST /v1/keys/verify',
    scope: null,
    model: null,
    outcome: 'VALID',
    status: 200,
    ip: null,
    units: 0,
    costMicros: 0,
    latencyMs: 1,
    requestId: null,
  };
}

function recorder(usage: Partial<UsageConfig> = {}) {
  const metrics = new MetricsService();
  const config = { redisUrl: 'redis://unused', usage: { metering: true, bufferMax: 100, flushMs: 60_000, batchSize: 10, ...usage } } as ApiConfig;
  const instance = new TestRecorder(config, metrics);
  instance.onModuleInit();
  return { instance, metrics, queue: instance.fake };
}

async function counter(metrics: MetricsService, name: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}

describe('UsageRecorder', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (stops.length) await (stops.pop() as () => Promise<void>)();
  });

  it('enqueues one job per batch, named batch, with the batchId as job id', async () => {
    const { instance, queue } = recorder({ batchSize: 10 });
    stops.push(() => instance.onApplicationShutdown());
    for (let i = 0; i < 25; i++) instance.record(event(i));
    await instance.flush();
    expect(queue.jobs.map((job) => job.data.events.length)).toEqual([10, 10, 5]);
    for (const job of queue.jobs) {
      expect(job.name).toBe(JOBS.usageBatch);
      expect(job.opts).toMatchObject({ jobId: job.data.batchId, removeOnComplete: true });
      expect(job.data.batchId).toMatch(/^ubat_/);
    }
    expect(queue.jobs.flatMap((job) => job.data.events.map((e) => e.id))).toEqual(
      Array.from({ length: 25 }, (_, i) => `evt_${i}`),
    );
  });

  it('keeps a batch that could not be enqueued and retries it with the same batchId', async () => {
    const { instance, queue, metrics } = recorder();
    stops.push(() => instance.onApplicationShutdown());
    queue.down = true;
    for (let i = 0; i < 5; i++) instance.record(event(i));
    await instance.flush();
    expect(queue.jobs).toHaveLength(0);
    expect(instance.held()).toBe(5);
    expect(await counter(metrics, 'kw_usage_flush_failures_total')).toBe(1);
    await instance.flush();
    expect(instance.held()).toBe(5);
    queue.down = false;
    await instance.flush();
    expect(queue.jobs).toHaveLength(1);
    expect(queue.jobs[0].data.events).toHaveLength(5);
    expect(instance.held()).toBe(0);
  });

  it('drops (and counts) events beyond the bound while the queue is down', async () => {
    const { instance, queue, metrics } = recorder({ bufferMax: 20 });
    stops.push(() => instance.onApplicationShutdown());
    queue.down = true;
    for (let i = 0; i < 50; i++) {
      instance.record(event(i));
      if (i % 7 === 0) await instance.flush();
    }
    expect(instance.held()).toBe(20);
    expect(await counter(metrics, 'kw_usage_events_dropped_total')).toBe(30);
    expect(await counter(metrics, 'kw_usage_events_accepted_total')).toBe(20);
    expect(await counter(metrics, 'kw_usage_buffer_events')).toBe(20);
  });

  it('takes a report all or nothing', async () => {
    const { instance, queue } = recorder({ bufferMax: 10 });
    stops.push(() => instance.onApplicationShutdown());
    queue.down = true;
    expect(instance.recordAll([event(1), event(2), event(3)])).toBe(true);
    expect(instance.recordAll(Array.from({ length: 8 }, (_, i) => event(i)))).toBe(false);
    expect(instance.held()).toBe(3);
  });

  it('flushes what it holds on shutdown', async () => {
    const { instance, queue } = recorder();
    for (let i = 0; i < 3; i++) instance.record(event(i));
    await instance.onApplicationShutdown();
    expect(queue.jobs).toHaveLength(1);
    expect(instance.held()).toBe(0);
  });

  it('records nothing with metering off', async () => {
    const { instance, queue } = recorder({ metering: false });
    instance.record(event(1));
    expect(instance.recordAll([event(2)])).toBe(true);
    await instance.flush();
    expect(instance.held()).toBe(0);
    expect(queue.jobs).toHaveLength(0);
  });
});
