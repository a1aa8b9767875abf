import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageBatchJob } from '@keywarden/core';
import { usageEvent } from './test/usage-event';
import { UsageSpool } from './usage-spool';

function batch(n: number, events = 3): UsageBatchJob {
  return {
    batchId: `ubat_${n}`,
    events: Array.from({ length: events }, (_, i) => usageEvent(`evt_${n}_${i}`, { model: 'gpt-4o', ip: '203.0.113.7', units: 1, costMicros: 10_000 })),
  };
}

/** Peeks and publishes until the spool is empty; answers the batch ids in the order handed out. */
async function drainAll(spool: UsageSpool): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const jobs = await spool.peek(7);
    if (jobs.length === 0) return ids;
    ids.push(...jobs.map((job) => job.batchId));
    await spool.published(jobs.length);
  }
}

const segmentsIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.jsonl'));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-spool-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('hands batches back in the order they were written, across segments, deleting each once published', async () => {
  const spool = await UsageSpool.open(dir, 64 * 1024);
  for (let n = 0; n < 60; n++) expect((await spool.append(batch(n))).written).toBe(true);
  expect(segmentsIn(dir).length).toBeGreaterThan(1);
  expect(spool.bytes).toBeGreaterThan(0);
  // Appends between replays land behind what is waiting.
  const first = await spool.peek(5);
  await spool.published(first.length);
  await spool.append(batch(60));
  const ids = [...first.map((job) => job.batchId), ...(await drainAll(spool))];
  expect(ids).toEqual(Array.from({ length: 61 }, (_, n) => `ubat_${n}`));
  expect(spool.empty).toBe(true);
  expect(spool.bytes).toBe(0);
  expect(segmentsIn(dir)).toEqual([]);
  await spool.close();
});

it('after a crash between publishing and deleting, the next start hands out the same batches (same batchIds) again', async () => {
  const crashed = await UsageSpool.open(dir, 1024 * 1024);
  for (let n = 0; n < 3; n++) await crashed.append(batch(n));
  expect((await crashed.peek(10)).map((job) => job.batchId)).toEqual(['ubat_0', 'ubat_1', 'ubat_2']);
  // No published(), no close(): the process died here.
  const restarted = await UsageSpool.open(dir, 1024 * 1024);
  expect(await drainAll(restarted)).toEqual(['ubat_0', 'ubat_1', 'ubat_2']);
  await restarted.close();
});

it('skips and counts a line torn by a crash during its write', async () => {
  const spool = await UsageSpool.open(dir, 1024 * 1024);
  await spool.append(batch(0));
  await spool.append(batch(1));
  await spool.close();
  appendFileSync(join(dir, segmentsIn(dir)[0]), JSON.stringify(batch(2)).slice(0, 80));
  const reopened = await UsageSpool.open(dir, 1024 * 1024);
  expect(await drainAll(reopened)).toEqual(['ubat_0', 'ubat_1']);
  expect(reopened.unreadable).toBe(1);
  await reopened.close();
});

it('refuses a batch that would pass the size cap, writing nothing', async () => {
  const cap = 64 * 1024;
  const spool = await UsageSpool.open(dir, cap);
  let written = 0;
  for (let n = 0; (await spool.append(batch(n, 20))).written; n++) written++;
  expect(written).toBeGreaterThan(0);
  expect(spool.bytes).toBeLessThanOrEqual(cap);
  expect(await drainAll(spool)).toHaveLength(written);
  await spool.close();
});

it('creates the directory and its missing parents', async () => {
  const nested = join(dir, 'spool', 'usage');
  const spool = await UsageSpool.open(nested, 1024 * 1024);
  await spool.append(batch(1));
  expect(segmentsIn(nested)).toHaveLength(1);
});

it('refuses a directory that cannot be created where its parent refuses new entries (/proc), instead of hanging', async () => {
  await expect(UsageSpool.open('/proc/keywarden-spool/usage', 1024 * 1024)).rejects.toThrow(/ENOENT/);
});

it('refuses a directory that another live process holds', async () => {
  writeFileSync(join(dir, 'LOCK'), String(process.ppid));
  await expect(UsageSpool.open(dir, 1024 * 1024)).rejects.toThrow(/in use by process/);
});
