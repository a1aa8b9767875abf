import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  freePort,
  metricTotal,
  startApi,
  startWorker,
  uniqueName,
} from './harness';

/**
 * Redis goes away during traffic: verify keeps answering, events wait in the bounded
 * buffer (or are dropped and counted), and metering resumes once Redis is back. Uses a
 * Redis of its own, so the shared one is never stopped.
 */

const CONVERGE = { timeoutMs: 30_000, intervalMs: 250 };

let redisPort: number;
let redisDir: string;
let api: ApiProcess;
let worker: ApiProcess;
let owner: Keywarden;
let key: AppKey & WithSecret;

function startRedis(): void {
  execFileSync('redis-server', [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    redisDir,
    '--pidfile',
    join(redisDir, 'redis.pid'),
  ]);
}

function stopRedis(): void {
  try {
    execFileSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave'], { stdio: 'ignore' });
  } catch {
    // already gone: redis-cli reports the closed connection as a failure
  }
}

async function redisUp(up: boolean): Promise<void> {
  await eventually(async () => {
    let answer = '';
    try {
      answer = execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      answer = '';
    }
    expect(answer.includes('PONG')).toBe(up);
  }, { timeoutMs: 10_000, intervalMs: 100 });
}

function metric(name: string): Promise<number> {
  return metricTotal(api.baseUrl, name);
}

async function verified(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const answer = await owner.verifyKey(key.secret, { model: 'm', units: 1 });
    expect(answer.code).toBe('VALID');
  }
}

async function requestsCounted(): Promise<number> {
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
  redisPort = await freePort();
  redisDir = mkdtempSync(join(tmpdir(), 'kw-redis-'));
  startRedis();
  await redisUp(true);
  const redisUrl = `redis://127.0.0.1:${redisPort}/0`;
  worker = await startWorker({ REDIS_URL: redisUrl });
  api = await startApi({ REDIS_URL: redisUrl, KW_USAGE_BUFFER_MAX: '40' });
  const workspace = await bootstrapWorkspace('usage-outage');
  owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] });
  key = await owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes: ['generation.create'] });
}, 60_000);

afterAll(async () => {
  // Redis must be up for the processes' own graceful shutdown checks.
  if (redisPort && redisDir) {
    startRedisIfDown();
    await api?.stop();
    await worker?.stop();
    stopRedis();
    rmSync(redisDir, { recursive: true, force: true });
  }
});

function startRedisIfDown(): void {
  try {
    execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: 'ignore' });
  } catch {
    startRedis();
  }
}

it('keeps verifying while Redis is down, buffers then drops (counted), and meters again once Redis is back', async () => {
  await verified(10);
  await eventually(async () => expect(await requestsCounted()).toBe(10), CONVERGE);

  stopRedis();
  await redisUp(false);
  expect(existsSync(redisDir)).toBe(true);
  const failuresBefore = await metric('kw_usage_flush_failures_total');
  // 30 fit in the buffer (max 40, less the events of the surrounding requests)...
  await verified(30);
  await eventually(async () => expect(await metric('kw_usage_flush_failures_total')).toBeGreaterThan(failuresBefore), CONVERGE);
  expect(await metric('kw_usage_buffer_events')).toBeGreaterThanOrEqual(30);
  // ...beyond the bound, events are dropped and counted, and verify still answers.
  await verified(30);
  const dropped = await metric('kw_usage_events_dropped_total');
  expect(dropped).toBeGreaterThan(0);
  expect(await metric('kw_usage_buffer_events')).toBeLessThanOrEqual(40);

  startRedis();
  await redisUp(true);
  // The held batches go through (same batch ids), then new traffic is metered again.
  await eventually(async () => expect(await metric('kw_usage_buffer_events')).toBe(0), CONVERGE);
  await verified(5);
  // Waits until every held batch has been rolled up: reading as soon as the first bound
  // holds would catch batches still on their way to the worker.
  const counted = await eventually(async () => {
    const total = await requestsCounted();
    // 10 before, at least the 30 buffered, the 5 after; the dropped ones are lost.
    expect(total).toBeGreaterThanOrEqual(10 + 30 + 5);
    // Every verify was either metered or dropped and counted.
    expect(total + (await metric('kw_usage_events_dropped_total'))).toBeGreaterThanOrEqual(10 + 60 + 5);
    return total;
  }, CONVERGE);
  expect(counted).toBeLessThanOrEqual(10 + 60 + 5);
}, 120_000);
