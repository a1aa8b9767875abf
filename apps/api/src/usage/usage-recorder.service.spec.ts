import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUsageBatch, JOBS, type UsageBatchJob, type UsageBatchJobData, type UsageEvent } from '@keywarden/core';
import type { ApiConfig, UsageConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { usageEvent } from './test/usage-event';
import { UsageRecorder } from './usage-recorder.service';

/** Holds each job as the worker reads it: its data through JSON and decoded. */
class FakeQueue {
  readonly jobs: Array<{ name: string; data: UsageBatchJob; opts: Record<string, unknown> }> = [];
  down = false;

  async add(name: string, data: UsageBatchJobData, opts: Record<string, unknown>) {
    return this.addBulk([{ name, data, opts }]);
  }

  async addBulk(jobs: Array<{ name: string; data: UsageBatchJobData; opts: Record<string, unknown> }>) {
    if (this.down) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    for (const { name, data, opts } of jobs) this.jobs.push({ name, data: decodeUsageBatch(JSON.parse(JSON.stringify(data))), opts });
    return [] as never;
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
  return usageEvent(`evt_${i}`);
}

async function recorder(usage: Partial<UsageConfig> = {}) {
  const metrics = new MetricsService();
  const config = {
    redisUrl: 'redis://unused',
    usage: { metering: true, bufferMax: 100, flushMs: 60_000, batchSize: 10, spoolDir: null, spoolMaxBytes: 1024 ** 2, reportMaxAgeDays: 30, ...usage },
  } as ApiConfig;
  const instance = new TestRecorder(config, metrics);
  await instance.onModuleInit();
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
    const { instance, queue } = await recorder({ batchSize: 10 });
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
    const { instance, queue, metrics } = await recorder();
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
    const { instance, queue, metrics } = await recorder({ bufferMax: 20 });
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
    const { instance, queue } = await recorder({ bufferMax: 10 });
    stops.push(() => instance.onApplicationShutdown());
    queue.down = true;
    expect(instance.recordAll([event(1), event(2), event(3)])).toBe(true);
    expect(instance.recordAll(Array.from({ length: 8 }, (_, i) => event(i)))).toBe(false);
    expect(instance.held()).toBe(3);
  });

  it('flushes what it holds on shutdown', async () => {
    const { instance, queue } = await recorder();
    for (let i = 0; i < 3; i++) instance.record(event(i));
    await instance.onApplicationShutdown();
    expect(queue.jobs).toHaveLength(1);
    expect(instance.held()).toBe(0);
  });

  describe('with a disk spool', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'kw-spool-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('sends the batches Redis cannot take to disk, not memory, and replays them in order once it is back', async () => {
      const { instance, queue, metrics } = await recorder({ bufferMax: 20, spoolDir: dir });
      stops.push(() => instance.onApplicationShutdown());
      queue.down = true;
      for (let i = 0; i < 250; i++) {
        instance.record(event(i));
        if (i % 10 === 9) await instance.flush();
      }
      expect(instance.held()).toBe(0);
      expect(await counter(metrics, 'kw_usage_events_dropped_total')).toBe(0);
      expect(await counter(metrics, 'kw_usage_events_spooled_total')).toBe(250);
      expect(await counter(metrics, 'kw_usage_spool_bytes')).toBeGreaterThan(0);
      queue.down = false;
      // An event made after the recovery waits behind the spooled ones.
      instance.record(event(250));
      while ((await counter(metrics, 'kw_usage_spool_bytes')) > 0) await instance.flush();
      await instance.flush();
      expect(queue.jobs.flatMap((job) => job.data.events.map((e) => e.id))).toEqual(Array.from({ length: 251 }, (_, i) => `evt_${i}`));
      expect(await counter(metrics, 'kw_usage_events_replayed_total')).toBe(251);
    });

    it('past the spool size cap, drops whole batches and counts them', async () => {
      const { instance, queue, metrics } = await recorder({ spoolDir: dir, spoolMaxBytes: 64 * 1024 });
      stops.push(() => instance.onApplicationShutdown());
      queue.down = true;
      for (let i = 0; i < 2_000; i++) {
        instance.record(event(i));
        if (i % 10 === 9) await instance.flush();
      }
      const spooled = await counter(metrics, 'kw_usage_events_spooled_total');
      const dropped = await counter(metrics, 'kw_usage_events_dropped_total');
      expect(spooled).toBeGreaterThan(0);
      expect(dropped).toBeGreaterThan(0);
      expect(spooled + dropped).toBe(2_000);
      expect(await counter(metrics, 'kw_usage_spool_bytes')).toBeLessThanOrEqual(64 * 1024);
    });

    it('on shutdown with Redis away, what it holds stays on disk for the next start', async () => {
      const first = await recorder({ spoolDir: dir });
      first.queue.down = true;
      for (let i = 0; i < 5; i++) first.instance.record(event(i));
      await first.instance.onApplicationShutdown();
      const next = await recorder({ spoolDir: dir });
      stops.push(() => next.instance.onApplicationShutdown());
      await next.instance.flush();
      expect(next.queue.jobs.flatMap((job) => job.data.events.map((e) => e.id))).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4']);
    });
  });

  it('records nothing with metering off', async () => {
    const { instance, queue } = await recorder({ metering: false });
    instance.record(event(1));
    expect(instance.recordAll([event(2)])).toBe(true);
    await instance.flush();
    expect(instance.held()).toBe(0);
    expect(queue.jobs).toHaveLength(0);
  });
});
