import { COMPACT_USAGE_FORMAT, encodeUsageBatch, JOBS, QUEUES, type UsageBatchJob, type UsageEvent } from '@keywarden/core';
import { Queue } from 'bullmq';
import type { Client } from 'pg';
import {
  chunk,
  connectDb,
  createFixture,
  event,
  type Fixture,
  metricValue,
  QUEUE_PREFIX,
  requireEnv,
  uid,
  waitFor,
  WorkerProcess,
} from './harness';

const MODELS = ['gpt-a', 'gpt-b', 'gpt-c'];
const OUTCOMES = ['VALID', 'KEY_REVOKED'];
const GRANULARITIES = ['minute', 'hour', 'day'] as const;
const MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Short lock so that jobs held by a killed worker come back within seconds. */
const WORKER_ENV = { KW_USAGE_LOCK_MS: '2000', KW_USAGE_CONCURRENCY: '2', KW_PARTITION_MAINTENANCE_MS: '1000' };

/** Events spread over 2 apps × 3 keys × 3 models × 2 outcomes and the last 3 hours. */
function mixedEvents(fixture: Fixture, count: number, now = Date.now()): UsageEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const app = i % 2;
    const units = (i % 5) + 1;
    return event({
      workspaceId: fixture.workspaceId,
      appId: fixture.apps[app],
      keyId: fixture.keys[app][Math.floor(i / 2) % 3],
      model: MODELS[Math.floor(i / 6) % 3],
      outcome: OUTCOMES[Math.floor(i / 18) % 2],
      status: Math.floor(i / 18) % 2 === 0 ? 200 : 401,
      kind: i % 7 === 0 ? 'request' : 'verify',
      timestamp: new Date(now - ((i * 7919) % (3 * 3_600_000))).toISOString(),
      units,
      costMicros: units * 1_250,
    });
  });
}

function bucketOf(ts: string, granularity: keyof typeof MS): string {
  const ms = Date.parse(ts);
  return new Date(ms - (ms % MS[granularity])).toISOString();
}

type Totals = Map<string, { requests: number; units: number; cost: number }>;

function expectedRollups(events: UsageEvent[]): Totals {
  const totals: Totals = new Map();
  for (const e of events) {
    for (const g of GRANULARITIES) {
      const key = [g, bucketOf(e.timestamp, g), e.appId ?? '', e.keyId ?? '', e.model ?? '', e.outcome].join('|');
      const t = totals.get(key) ?? { requests: 0, units: 0, cost: 0 };
      t.requests++;
      t.units += e.units;
      t.cost += e.costMicros;
      totals.set(key, t);
    }
  }
  return totals;
}

async function actualRollups(db: Client, workspaceId: string): Promise<Totals> {
  const { rows } = await db.query(
    `SELECT granularity, bucket, app_id, key_id, model, outcome, requests::int, units::int, cost_micros::int
     FROM usage_rollups WHERE workspace_id = $1`,
    [workspaceId],
  );
  const totals: Totals = new Map();
  for (const r of rows) {
    const key = [r.granularity, (r.bucket as Date).toISOString(), r.app_id, r.key_id, r.model, r.outcome].join('|');
    totals.set(key, { requests: r.requests, units: r.units, cost: r.cost_micros });
  }
  return totals;
}

async function count(db: Client, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query(sql, params);
  return Number(rows[0].n);
}

const processedCount = (db: Client, prefix: string) =>
  count(db, `SELECT count(*) AS n FROM processed_batches WHERE batch_id LIKE $1`, [`${prefix}%`]);

const accessLogCount = (db: Client, workspaceId: string) =>
  count(db, `SELECT count(*) AS n FROM access_log WHERE workspace_id = $1`, [workspaceId]);

/** A usage report (`POST /v1/usage`) of one request by the fixture's first key, as the API queues it. */
function reportOf(fixture: Fixture, requestId: string, fields: Partial<UsageEvent> = {}): UsageEvent {
  return event({
    workspaceId: fixture.workspaceId,
    appId: fixture.apps[0],
    keyId: fixture.keys[0][0],
    kind: 'report',
    route: 'POST /v1/usage',
    model: 'gpt-a',
    requestId,
    ...fields,
  });
}

function jobsFor(batchIds: string[], batches: UsageEvent[][]) {
  return batches.map((events, i) => ({
    name: JOBS.usageBatch,
    data: { batchId: batchIds[i], events } satisfies UsageBatchJob,
    opts: { jobId: batchIds[i], attempts: 5, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: 1_000 },
  }));
}

async function enqueue(queue: Queue, events: UsageEvent[], batchSize: number): Promise<string> {
  const prefix = uid('b');
  const batches = chunk(events, batchSize);
  await queue.addBulk(jobsFor(batches.map((_, i) => `${prefix}_${i}`), batches));
  return prefix;
}

describe('usage pipeline (worker process, real PostgreSQL + Redis)', () => {
  let db: Client;
  let queue: Queue;
  let worker: WorkerProcess;

  beforeAll(async () => {
    db = await connectDb();
    queue = new Queue(QUEUES.usage, { connection: { url: requireEnv('REDIS_URL') }, prefix: QUEUE_PREFIX });
    worker = await new WorkerProcess(WORKER_ENV).start();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await db?.end();
  });

  it('rolls up every event exactly once at every granularity', async () => {
    const fixture = await createFixture(db);
    const events = mixedEvents(fixture, 5_000);
    const prefix = await enqueue(queue, events, 250);
    await waitFor(async () => (await processedCount(db, prefix)) === 20, '20 batches processed');

    expect(await accessLogCount(db, fixture.workspaceId)).toBe(5_000);
    const actual = await actualRollups(db, fixture.workspaceId);
    expect(actual).toEqual(expectedRollups(events));
    for (const g of GRANULARITIES) {
      const { rows } = await db.query(
        `SELECT sum(requests)::int AS requests, sum(units)::int AS units, count(DISTINCT app_id)::int AS apps,
                count(DISTINCT key_id)::int AS keys, count(DISTINCT model)::int AS models,
                count(DISTINCT outcome)::int AS outcomes
         FROM usage_rollups WHERE workspace_id = $1 AND granularity = $2`,
        [fixture.workspaceId, g],
      );
      expect(rows[0]).toEqual({
        requests: 5_000,
        units: events.reduce((sum, e) => sum + e.units, 0),
        apps: 2,
        keys: 6,
        models: 3,
        outcomes: 2,
      });
    }

    // last_used_at: the newest VALID event of each key.
    const { rows: keys } = await db.query(`SELECT id, last_used_at FROM api_keys WHERE workspace_id = $1`, [
      fixture.workspaceId,
    ]);
    for (const key of keys) {
      const newest = Math.max(
        ...events.filter((e) => e.keyId === key.id && e.outcome === 'VALID').map((e) => Date.parse(e.timestamp)),
      );
      expect((key.last_used_at as Date).getTime()).toBe(newest);
    }

    const metrics = await worker.metrics();
    expect(metricValue(metrics, 'kw_usage_events_rolled_up_total')).toBeGreaterThanOrEqual(5_000);
    expect(metricValue(metrics, 'kw_usage_batch_size_events_count')).toBeGreaterThanOrEqual(20);
    expect(metrics).toContain('kw_usage_queue_depth{state="waiting"}');
    expect(metrics).toContain('kw_usage_rollup_lag_seconds_bucket');
    expect(metrics).toContain('kw_usage_batch_duration_seconds_bucket');
  }, 90_000);

  it('rolls up batches in the compact form the API queues and in the plain form queued before it alike', async () => {
    const fixture = await createFixture(db);
    const events = mixedEvents(fixture, 1_000);
    const prefix = uid('b');
    const batches = chunk(events, 250);
    const jobs = jobsFor(batches.map((_, i) => `${prefix}_${i}`), batches).map((job, i) =>
      // Every other batch compact, as after an upgrade with older batches still queued.
      i % 2 === 0 ? { ...job, data: encodeUsageBatch(job.data) } : job,
    );
    await queue.addBulk(jobs);
    await waitFor(async () => (await processedCount(db, prefix)) === 4, '4 batches processed');

    expect(await accessLogCount(db, fixture.workspaceId)).toBe(1_000);
    expect(await actualRollups(db, fixture.workspaceId)).toEqual(expectedRollups(events));
  });

  it('dead-letters a compact batch it cannot read, without retries', async () => {
    const batchId = uid('b');
    await queue.add(
      JOBS.usageBatch,
      { batchId, format: COMPACT_USAGE_FORMAT, strings: [], ids: ['evt_1'], cells: [0, 1, 2] },
      { jobId: batchId, attempts: 5, backoff: { type: 'exponential', delay: 200 } },
    );
    await waitFor(async () => (await queue.getJobState(batchId)) === 'failed', 'batch failed');

    const job = await queue.getJob(batchId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('3 cells for 1 events');
    expect(await processedCount(db, batchId)).toBe(0);
  });

  it('logs a batch that fails for good, naming it and the reason', async () => {
    const batchId = uid('b');
    await queue.add(
      JOBS.usageBatch,
      { batchId, format: COMPACT_USAGE_FORMAT, strings: [], ids: ['evt_1'], cells: [0, 1, 2] },
      { jobId: batchId, attempts: 5, backoff: { type: 'exponential', delay: 200 } },
    );

    await waitFor(async () => worker.output.includes(`usage batch ${batchId} failed for good`), 'failure logged', 10_000);
    const line = worker.output.split('\n').find((text) => text.includes(batchId)) as string;
    expect(line).toContain('its events not counted');
    expect(line).toContain('3 cells for 1 events');
  });

  it('applies a batch enqueued twice (same batchId, different jobIds) once', async () => {
    const fixture = await createFixture(db, 1, 1);
    const events = Array.from({ length: 50 }, () =>
      event({ workspaceId: fixture.workspaceId, appId: fixture.apps[0], keyId: fixture.keys[0][0], model: 'm' }),
    );
    const batchId = uid('b');
    const before = metricValue(await worker.metrics(), 'kw_usage_batches_duplicate_total');
    const [first, second] = jobsFor([batchId, batchId], [events, events]);
    await queue.addBulk([first, { ...second, opts: { ...second.opts, jobId: `${batchId}-again` } }]);
    await waitFor(
      async () =>
        (await queue.getJobState(batchId)) === 'completed' &&
        (await queue.getJobState(`${batchId}-again`)) === 'completed',
      'both jobs completed',
    );

    expect(await accessLogCount(db, fixture.workspaceId)).toBe(50);
    for (const g of GRANULARITIES) {
      const requests = await count(
        db,
        `SELECT sum(requests) AS n FROM usage_rollups WHERE workspace_id = $1 AND granularity = $2`,
        [fixture.workspaceId, g],
      );
      expect(requests).toBe(50);
    }
    const metrics = await worker.metrics();
    expect(metricValue(metrics, 'kw_usage_batches_duplicate_total')).toBe(before + 1);
  });

  it('counts a reported requestId once, across batches and within one', async () => {
    const fixture = await createFixture(db, 1, 1);
    const report = (requestId: string, units: number) => reportOf(fixture, requestId, { units, costMicros: units * 10 });
    // req-1 twice in batch one and once in batch two; req-2 only in batch two.
    const batchOne = [report('req-1', 100), report('req-1', 100)];
    const batchTwo = [report('req-1', 100), report('req-2', 7)];
    const prefix = uid('b');
    await queue.addBulk(jobsFor([`${prefix}_1`], [batchOne]));
    await waitFor(async () => (await processedCount(db, prefix)) === 1, 'first batch');
    await queue.addBulk(jobsFor([`${prefix}_2`], [batchTwo]));
    await waitFor(async () => (await processedCount(db, prefix)) === 2, 'second batch');

    expect(await accessLogCount(db, fixture.workspaceId)).toBe(2);
    const { rows } = await db.query(
      `SELECT sum(requests)::int AS requests, sum(units)::int AS units FROM usage_rollups
       WHERE workspace_id = $1 AND granularity = 'day'`,
      [fixture.workspaceId],
    );
    expect(rows[0]).toEqual({ requests: 2, units: 107 });
  });

  describe('claims of reported requestIds (retention 30 days by default)', () => {
    const claimsOf = (workspaceId: string, pattern: string) =>
      count(db, `SELECT count(*) AS n FROM reported_requests WHERE workspace_id = $1 AND request_id LIKE $2`, [workspaceId, pattern]);
    /** Claims made `ageDays` ago, as a worker made them then. */
    const claimedAgo = (workspaceId: string, requestIds: string[], ageDays: number) =>
      db.query(
        `INSERT INTO reported_requests (workspace_id, request_id, created_at)
         SELECT $1, unnest($2::text[]), now() - make_interval(days => $3)`,
        [workspaceId, requestIds, ageDays],
      );

    it('are purged once older than any replay the API still takes, in batches, and kept while one can come', async () => {
      const fixture = await createFixture(db, 1, 1);
      // More than one purge batch (10,000) of old claims.
      await claimedAgo(fixture.workspaceId, Array.from({ length: 25_000 }, (_, i) => `old-${i}`), 31);
      await claimedAgo(fixture.workspaceId, ['recent-1', 'recent-2'], 29);
      await waitFor(async () => (await claimsOf(fixture.workspaceId, 'old-%')) === 0, 'old claims purged', 20_000);
      expect(await claimsOf(fixture.workspaceId, 'recent-%')).toBe(2);
    });

    it('kept, still drop a replay made inside the window after a purge', async () => {
      const fixture = await createFixture(db, 1, 1);
      await claimedAgo(fixture.workspaceId, ['purged-marker'], 31);
      await claimedAgo(fixture.workspaceId, ['counted-long-ago'], 29);
      await waitFor(async () => (await claimsOf(fixture.workspaceId, 'purged-marker')) === 0, 'a purge run', 20_000);

      const report = (requestId: string) => reportOf(fixture, requestId, { units: 5, timestamp: new Date(Date.now() - 29 * MS.day).toISOString() });
      const prefix = uid('b');
      await queue.addBulk(jobsFor([`${prefix}_1`], [[report('counted-long-ago'), report('first-time')]]));
      await waitFor(async () => (await processedCount(db, prefix)) === 1, 'batch processed');
      const { rows } = await db.query(`SELECT request_id FROM access_log WHERE workspace_id = $1`, [fixture.workspaceId]);
      expect(rows).toEqual([{ request_id: 'first-time' }]);
    });
  });

  describe('claims of processed batchIds (retention 30 days by default)', () => {
    /** Claims of batches processed `ageDays` ago, as a worker made them then. */
    const processedAgo = (batchIds: string[], ageDays: number) =>
      db.query(
        `INSERT INTO processed_batches (batch_id, events, processed_at)
         SELECT unnest($1::text[]), 1, now() - make_interval(days => $2)`,
        [batchIds, ageDays],
      );
    const dayRequests = async (workspaceId: string) =>
      count(db, `SELECT coalesce(sum(requests), 0) AS n FROM usage_rollups WHERE workspace_id = $1 AND granularity = 'day'`, [workspaceId]);

    it('are purged once processed more than the retention ago, in batches, and kept while younger', async () => {
      const prefix = uid('b');
      // More than one purge batch (10,000) of old claims.
      await processedAgo(Array.from({ length: 25_000 }, (_, i) => `${prefix}_old_${i}`), 31);
      await processedAgo([`${prefix}_recent_1`, `${prefix}_recent_2`], 29);
      await waitFor(async () => (await processedCount(db, `${prefix}_old_`)) === 0, 'old claims purged', 20_000);
      expect(await processedCount(db, `${prefix}_recent_`)).toBe(2);
    });

    it('a batch redelivered after its claim was purged counts nothing again', async () => {
      const fixture = await createFixture(db, 1, 1);
      const events = [0, 1].map(() => event({ workspaceId: fixture.workspaceId, appId: fixture.apps[0], keyId: fixture.keys[0][0] }));
      const batchId = `${uid('b')}_1`;
      await queue.addBulk(jobsFor([batchId], [events]));
      await waitFor(async () => (await processedCount(db, batchId)) === 1, 'batch processed');
      await db.query(`UPDATE processed_batches SET processed_at = now() - interval '31 days' WHERE batch_id = $1`, [batchId]);
      await waitFor(async () => (await processedCount(db, batchId)) === 0, 'claim purged', 20_000);

      // The same batch again, as a disk spool replayed late would send it (its own job, the same batchId).
      await queue.add(JOBS.usageBatch, { batchId, events } satisfies UsageBatchJob, { jobId: `${batchId}_again` });
      await waitFor(async () => (await processedCount(db, batchId)) === 1, 'redelivered batch processed');
      expect(await accessLogCount(db, fixture.workspaceId)).toBe(2);
      expect(await dayRequests(fixture.workspaceId)).toBe(2);
    });

    it('events stamped more than the retention ago are not counted: without their log row a redelivery could not be recognised', async () => {
      const fixture = await createFixture(db, 1, 1);
      const at = (ageMs: number) =>
        event({ workspaceId: fixture.workspaceId, appId: fixture.apps[0], keyId: fixture.keys[0][0], timestamp: new Date(Date.now() - ageMs).toISOString() });
      const prefix = uid('b');
      await queue.addBulk(jobsFor([`${prefix}_1`], [[at(31 * MS.day), at(29 * MS.day)]]));
      await waitFor(async () => (await processedCount(db, prefix)) === 1, 'batch processed');
      expect(await accessLogCount(db, fixture.workspaceId)).toBe(1);
      expect(await dayRequests(fixture.workspaceId)).toBe(1);
      expect(metricValue(await worker.metrics(), 'kw_usage_events_expired_total')).toBeGreaterThanOrEqual(1);
    });
  });

  it('measures rollup lag from the events the API stamped, not from the time a report carries', async () => {
    const fixture = await createFixture(db, 1, 1);
    const [appId, keyId] = [fixture.apps[0], fixture.keys[0][0]];
    const lag = async () => {
      const metrics = await worker.metrics();
      return {
        count: metricValue(metrics, 'kw_usage_rollup_lag_seconds_count'),
        within15min: metricValue(metrics, 'kw_usage_rollup_lag_seconds_bucket{le="900"}'),
      };
    };
    const before = await lag();
    // Yesterday's tokens, reported now beside a verify made now.
    const batch = [
      event({
        workspaceId: fixture.workspaceId,
        appId,
        keyId,
        kind: 'report',
        route: 'POST /v1/usage',
        model: 'gpt-a',
        requestId: uid('r'),
        timestamp: new Date(Date.now() - 86_400_000).toISOString(),
      }),
      event({ workspaceId: fixture.workspaceId, appId, keyId, model: 'gpt-a' }),
    ];
    const prefix = uid('b');
    await queue.addBulk(jobsFor([`${prefix}_1`], [batch]));
    await waitFor(async () => (await lag()).count === before.count + 1, 'lag observed');

    expect((await lag()).within15min).toBe(before.within15min + 1);
  });

  it('applies a batch whose reports take a rollup past the largest bigint, and the other events it carries', async () => {
    const fixture = await createFixture(db, 1, 2);
    const [heavy, other] = fixture.keys[0];
    // The largest amounts POST /v1/usage takes: 1,000 units of them fill the day's row, 30 more overflow it.
    const timestamp = new Date().toISOString();
    const report = (requestId: string) =>
      reportOf(fixture, requestId, { keyId: heavy, timestamp, units: Number.MAX_SAFE_INTEGER, costMicros: 1_000_000_000_000_000 });
    const prefix = uid('b');
    await queue.addBulk(jobsFor([`${prefix}_1`], [Array.from({ length: 1_000 }, (_, i) => report(`a-${i}`))]));
    await waitFor(async () => (await processedCount(db, prefix)) === 1, 'first batch');
    const batchTwo = [
      ...Array.from({ length: 30 }, (_, i) => report(`b-${i}`)),
      event({ workspaceId: fixture.workspaceId, appId: fixture.apps[0], keyId: other, model: 'gpt-a', timestamp }),
    ];
    const [job] = jobsFor([`${prefix}_2`], [batchTwo]);
    await queue.add(job.name, job.data, { ...job.opts, attempts: 1 });
    await waitFor(async () => ['completed', 'failed'].includes(await queue.getJobState(`${prefix}_2`)), 'second batch settled');

    expect(await queue.getJobState(`${prefix}_2`)).toBe('completed');
    const { rows } = await db.query(
      `SELECT key_id, requests::text, units::text, cost_micros::text FROM usage_rollups
       WHERE workspace_id = $1 AND granularity = 'day' ORDER BY key_id = $2 DESC`,
      [fixture.workspaceId, heavy],
    );
    expect(rows).toEqual([
      { key_id: heavy, requests: '1030', units: '9223372036854775807', cost_micros: '1030000000000000000' },
      { key_id: other, requests: '1', units: '1', cost_micros: '0' },
    ]);
  });

  it('loses and doubles nothing when the worker is SIGKILLed mid-stream', async () => {
    const fixture = await createFixture(db);
    const events = mixedEvents(fixture, 40_000);
    const prefix = await enqueue(queue, events, 200);
    const total = 200;
    // Kill while batches are still queued (and some are in flight).
    await waitFor(async () => (await processedCount(db, prefix)) >= 10, 'some batches processed', 60_000, 20);
    await worker.stop('SIGKILL');
    const atKill = await processedCount(db, prefix);
    // Jobs the dead worker held stay 'active' until their lock expires; the rest wait.
    expect((await queue.getJobCounts('waiting')).waiting).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(total);

    worker = await new WorkerProcess(WORKER_ENV).start();
    await waitFor(async () => (await processedCount(db, prefix)) === total, 'all batches processed', 90_000);
    // Stalled jobs whose transaction had committed are delivered again: let them finish.
    await waitFor(async () => (await queue.getJobCounts('active')).active === 0, 'queue drained', 30_000);

    expect(await accessLogCount(db, fixture.workspaceId)).toBe(40_000);
    expect(await actualRollups(db, fixture.workspaceId)).toEqual(expectedRollups(events));
  }, 180_000);

  it('finishes in-flight batches on SIGTERM, exits 0, and the rest is applied after restart', async () => {
    const fixture = await createFixture(db);
    const events = mixedEvents(fixture, 20_000);
    const prefix = await enqueue(queue, events, 200);
    await waitFor(async () => (await processedCount(db, prefix)) >= 5, 'some batches processed', 60_000, 20);
    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await processedCount(db, prefix)).toBeLessThan(100);
    expect((await queue.getJobCounts('active')).active).toBe(0);

    worker = await new WorkerProcess(WORKER_ENV).start();
    await waitFor(async () => (await processedCount(db, prefix)) === 100, 'all batches processed', 90_000);
    expect(await accessLogCount(db, fixture.workspaceId)).toBe(20_000);
    expect(await actualRollups(db, fixture.workspaceId)).toEqual(expectedRollups(events));
  }, 180_000);

  it('keeps daily partitions: today exists, older than retention dropped, default rows moved', async () => {
    const day = (offset: number) => {
      const start = Math.floor(Date.now() / MS.day) * MS.day + offset * MS.day;
      return { name: `access_log_${new Date(start).toISOString().slice(0, 10).replace(/-/g, '')}`, start };
    };
    const partitions = async () =>
      (
        await db.query(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'access_log'::regclass`,
        )
      ).rows.map((r) => r.name as string);
    for (const offset of [-1, 0, 1, 2]) expect(await partitions()).toContain(day(offset).name);

    // A partition 40 days old (retention 30 by default) is dropped by the next run.
    const old = day(-40);
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${old.name} PARTITION OF access_log
       FOR VALUES FROM ('${new Date(old.start).toISOString()}') TO ('${new Date(old.start + MS.day).toISOString()}')`,
    );
    // Rows that reached the DEFAULT partition for a day without its partition are moved
    // into it when it is created.
    const ahead = day(2);
    const workspaceId = uid('ws');
    await db.query('BEGIN');
    await db.query(`DROP TABLE ${ahead.name}`);
    await db.query(
      `INSERT INTO access_log (id, ts, workspace_id, kind, route, outcome, status, units, cost_micros, latency_ms)
       VALUES ($1, $2, $3, 'verify', 'POST /v1/keys/verify', 'VALID', 200, 1, 0, 1)`,
      [uid('evt'), new Date(ahead.start + 1_000).toISOString(), workspaceId],
    );
    await db.query('COMMIT');

    await waitFor(async () => {
      const names = await partitions();
      return !names.includes(old.name) && names.includes(ahead.name);
    }, 'maintenance run', 20_000);
    const { rows } = await db.query(`SELECT tableoid::regclass::text AS part FROM access_log WHERE workspace_id = $1`, [
      workspaceId,
    ]);
    expect(rows).toEqual([{ part: ahead.name }]);
  }, 60_000);
});
