import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, eventually, metricTotal, type OwnRedis, startApi, startOwnRedis, startWorker, uniqueName } from './harness';

/**
 * Redis goes away during traffic: verify keeps answering, and metering resumes once Redis
 * is back. Without a disk spool events wait in the bounded buffer (or are dropped and
 * counted); with one (KW_USAGE_SPOOL_DIR) they wait on disk and none is lost, none counted
 * twice. Uses a Redis of its own, so the shared one is never stopped.
 */

const CONVERGE = { timeoutMs: 30_000, intervalMs: 250 };

let redis: OwnRedis;
let api: ApiProcess;
let worker: ApiProcess;
let owner: Keywarden;
let app: App;
let adminSecret: string;
let spoolDir: string;
/** API processes with the spool, started (and killed) by the tests. */
const spooling: ApiProcess[] = [];

const metric = (name: string) => metricTotal(api.baseUrl, name);

const newKey = () => owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes: ['generation.create'] });

async function startSpoolingApi(): Promise<ApiProcess> {
  // Small batches leave the buffer as soon as they fill: what this bounds is the disk, not memory.
  const started = await startApi({ REDIS_URL: redis.url, KW_USAGE_BUFFER_MAX: '100', KW_USAGE_BATCH_SIZE: '20', KW_USAGE_SPOOL_DIR: spoolDir });
  spooling.push(started);
  return started;
}

async function verified(via: Keywarden, key: AppKey & WithSecret, n: number, loops = 1): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = 0; i < n / loops; i++) {
        const answer = await via.verifyKey(key.secret, { model: 'm', units: 1 });
        expect(answer.code).toBe('VALID');
      }
    }),
  );
}

async function requestsCounted(key: AppKey): Promise<number> {
  const now = Date.now();
  const usage = await owner.usage.query({
    keyId: key.id,
    granularity: 'hour',
    from: new Date(now - 3_600_000).toISOString(),
    to: new Date(now + 3_600_000).toISOString(),
  });
  return usage.totals.requests;
}

beforeAll(async () => {
  redis = await startOwnRedis();
  spoolDir = mkdtempSync(join(tmpdir(), 'kw-usage-spool-'));
  worker = await startWorker({ REDIS_URL: redis.url });
  api = await startApi({ REDIS_URL: redis.url, KW_USAGE_BUFFER_MAX: '40' });
  const workspace = await bootstrapWorkspace('usage-outage');
  adminSecret = workspace.secret;
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] });
}, 60_000);

afterAll(async () => {
  try {
    // Redis must be up for the processes' own graceful shutdown checks.
    if (redis) {
      await redis.start();
      await Promise.all(spooling.map((process) => process.stop()));
      await api?.stop();
      await worker?.stop();
      await redis.remove();
    }
  } finally {
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }
});

it('without a spool: keeps verifying while Redis is down, buffers then drops (counted), and meters again once Redis is back', async () => {
  const key = await newKey();
  await verified(owner, key, 10);
  await eventually(async () => expect(await requestsCounted(key)).toBe(10), CONVERGE);

  await redis.stop();
  const failuresBefore = await metric('kw_usage_flush_failures_total');
  // 30 fit in the buffer (max 40, less the events of the surrounding requests)...
  await verified(owner, key, 30);
  await eventually(async () => expect(await metric('kw_usage_flush_failures_total')).toBeGreaterThan(failuresBefore), CONVERGE);
  expect(await metric('kw_usage_buffer_events')).toBeGreaterThanOrEqual(30);
  // ...beyond the bound, events are dropped and counted, and verify still answers.
  await verified(owner, key, 30);
  const dropped = await metric('kw_usage_events_dropped_total');
  expect(dropped).toBeGreaterThan(0);
  expect(await metric('kw_usage_buffer_events')).toBeLessThanOrEqual(40);

  await redis.start();
  // The held batches go through (same batch ids), then new traffic is metered again.
  await eventually(async () => expect(await metric('kw_usage_buffer_events')).toBe(0), CONVERGE);
  await verified(owner, key, 5);
  // Waits until every held batch has been rolled up: reading as soon as the first bound
  // holds would catch batches still on their way to the worker.
  const counted = await eventually(async () => {
    const total = await requestsCounted(key);
    // 10 before, at least the 30 buffered, the 5 after; the dropped ones are lost.
    expect(total).toBeGreaterThanOrEqual(10 + 30 + 5);
    // Every verify was either metered or dropped and counted.
    expect(total + (await metric('kw_usage_events_dropped_total'))).toBeGreaterThanOrEqual(10 + 60 + 5);
    return total;
  }, CONVERGE);
  expect(counted).toBeLessThanOrEqual(10 + 60 + 5);
}, 120_000);

describe('with a disk spool', () => {
  const OUTAGE_VERIFIES = 300;
  const segments = () => readdirSync(spoolDir).filter((name) => name.endsWith('.jsonl'));

  it('every verify made during the outage is counted once Redis is back: exactly N, none dropped', async () => {
    const spooled = await startSpoolingApi();
    const via = client(spooled.baseUrl, adminSecret);
    const key = await newKey();
    await verified(via, key, 10);
    await eventually(async () => expect(await requestsCounted(key)).toBe(10), CONVERGE);

    await redis.stop();
    // Far more than the in-memory buffer (100) holds.
    await verified(via, key, OUTAGE_VERIFIES, 5);
    expect(await metricTotal(spooled.baseUrl, 'kw_usage_events_dropped_total')).toBe(0);
    expect(await metricTotal(spooled.baseUrl, 'kw_usage_spool_bytes')).toBeGreaterThan(0);

    await redis.start();
    await eventually(async () => expect(await metricTotal(spooled.baseUrl, 'kw_usage_spool_bytes')).toBe(0), CONVERGE);
    await eventually(async () => expect(await requestsCounted(key)).toBe(10 + OUTAGE_VERIFIES), CONVERGE);
    expect(segments()).toEqual([]);
  }, 120_000);

  it('survives a crash during the outage, and a replay repeated after a crash between publishing and deleting counts nothing twice', async () => {
    const first = spooling.at(-1) ?? (await startSpoolingApi());
    const via = client(first.baseUrl, adminSecret);
    const key = await newKey();
    await redis.stop();
    await verified(via, key, OUTAGE_VERIFIES, 5);
    // Every event has left memory for the disk: the crash takes nothing with it.
    await eventually(async () => expect(await metricTotal(first.baseUrl, 'kw_usage_buffer_events')).toBe(0), CONVERGE);
    const snapshot = mkdtempSync(join(tmpdir(), 'kw-spool-copy-'));
    for (const name of segments()) cpSync(join(spoolDir, name), join(snapshot, name));
    const spooledBatches = segments().reduce((sum, name) => sum + readFileSync(join(spoolDir, name), 'utf8').split('\n').filter(Boolean).length, 0);
    await first.kill();

    await redis.start();
    const second = await startSpoolingApi();
    await eventually(async () => expect(await requestsCounted(key)).toBe(OUTAGE_VERIFIES), CONVERGE);
    await eventually(async () => expect(segments()).toEqual([]), CONVERGE);
    await second.kill();

    // As if the process had died after publishing these batches but before deleting them.
    const duplicatesBefore = await metricTotal(worker.baseUrl, 'kw_usage_batches_duplicate_total');
    for (const name of readdirSync(snapshot)) cpSync(join(snapshot, name), join(spoolDir, name));
    rmSync(snapshot, { recursive: true, force: true });
    const third = await startSpoolingApi();
    await eventually(async () => expect(await metricTotal(third.baseUrl, 'kw_usage_events_replayed_total')).toBeGreaterThanOrEqual(OUTAGE_VERIFIES), CONVERGE);
    // The worker recognised every one of them as already applied.
    await eventually(async () => expect(await metricTotal(worker.baseUrl, 'kw_usage_batches_duplicate_total')).toBe(duplicatesBefore + spooledBatches), CONVERGE);
    expect(await requestsCounted(key)).toBe(OUTAGE_VERIFIES);
  }, 180_000);
});
