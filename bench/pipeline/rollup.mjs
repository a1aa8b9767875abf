#!/usr/bin/env node
// How many usage events one worker rolls up per second, and how many PostgreSQL
// statements that takes per 1,000 events. Batches are enqueued first (on a queue prefix
// of their own), then one worker drains them; the clock runs from its first commit to
// its last, so start-up is not counted. Rollup sums are checked against what was sent.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BUSINESS_HOURS, JOBS, QUEUES } from '@keywarden/core';
import { Queue } from 'bullmq';
import pg from 'pg';
import { API_CLI, apiEnv, fail, freePort, log, prepareServices, ROOT, runSync, startServer, stopServer } from '../lib/harness.mjs';

const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
const EVENTS = Number(process.env.BENCH_ROLLUP_EVENTS ?? 100_000);
const BATCH = Number(process.env.BENCH_ROLLUP_BATCH ?? 500);
const CONCURRENCY = process.env.KW_USAGE_CONCURRENCY ?? '2';
const GOAL_EVENTS_PER_SECOND = 20_000;

const APPS = 5;
const KEYS = 50;
const appIdOf = (runId, n) => `app_${runId}_${n}`;
/** Key n belongs to app n % APPS, as every event names them. */
const keyIdOf = (runId, n) => `key_${runId}_${n}`;

/** The run's workspace, apps and keys: the worker refuses batches naming rows its database does not hold. */
async function createRows(db, workspaceId, runId) {
  await db.query('INSERT INTO workspaces (id, name) VALUES ($1, $1)', [workspaceId]);
  for (let a = 0; a < APPS; a++) {
    await db.query(
      `INSERT INTO apps (id, workspace_id, name, timezone, business_hours, environments) VALUES ($1, $2, $1, 'UTC', $3, '{live}')`,
      [appIdOf(runId, a), workspaceId, JSON.stringify(DEFAULT_BUSINESS_HOURS)],
    );
  }
  for (let k = 0; k < KEYS; k++) {
    await db.query(
      `INSERT INTO api_keys (id, workspace_id, kind, app_id, environment, name, scopes, status)
       VALUES ($1, $2, 'app', $3, 'live', $1, '{}', 'active')`,
      [keyIdOf(runId, k), workspaceId, appIdOf(runId, k % APPS)],
    );
  }
}

function batchesOf(workspaceId, runId) {
  const now = Date.now();
  const jobs = [];
  for (let b = 0; b < EVENTS / BATCH; b++) {
    const events = Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i;
      return {
        id: `evt_${randomUUID()}`,
        timestamp: new Date(now - (n % 3600) * 1000).toISOString(),
        workspaceId,
        appId: appIdOf(runId, n % APPS),
        keyId: keyIdOf(runId, n % KEYS),
        kind: 'verify',
        route: 'POST /v1/keys/verify',
        scope: null,
        model: `model-${n % 4}`,
        outcome: n % 10 ? 'VALID' : 'KEY_REVOKED',
        status: 200,
        ip: '127.0.0.1',
        units: 1,
        costMicros: 100,
        latencyMs: 1.2,
        requestId: null,
      };
    });
    const batchId = `${runId}_${b}`;
    jobs.push({ name: JOBS.usageBatch, data: { batchId, events }, opts: { jobId: batchId, removeOnComplete: true } });
  }
  return jobs;
}

async function main() {
  if (EVENTS % BATCH !== 0) throw fail('BENCH_ROLLUP_EVENTS must be a multiple of BENCH_ROLLUP_BATCH');
  const services = prepareServices();
  services.pepper = 'bench-pepper-0123456789abcdef0123456789abcdef';
  runSync(process.execPath, [API_CLI, 'migrate'], { env: apiEnv(services), what: 'migrate' });

  const runId = `rollup_${randomUUID().slice(0, 8)}`;
  const workspaceId = `ws_${runId}`;
  const queuePrefix = `kwbench_${runId}`;
  const queue = new Queue(QUEUES.usage, { connection: { url: services.redisUrl }, prefix: queuePrefix });
  const db = new pg.Client({ connectionString: services.databaseUrl });
  await db.connect();
  await createRows(db, workspaceId, runId);
  const jobs = batchesOf(workspaceId, runId);
  for (let i = 0; i < jobs.length; i += 50) await queue.addBulk(jobs.slice(i, i + 50));
  log(`enqueued ${EVENTS.toLocaleString('en-US')} events in ${jobs.length} batches of ${BATCH}`);

  const port = await freePort();
  const worker = await startServer({
    name: 'worker',
    script: WORKER_MAIN,
    port,
    env: apiEnv(services, { WORKER_PORT: String(port), LOG_LEVEL: 'warn', KW_USAGE_CONCURRENCY: CONCURRENCY, KW_QUEUE_PREFIX: queuePrefix }),
    ready: async (p) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).ok,
  });
  try {
    let firstCommit = null;
    for (;;) {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM processed_batches WHERE batch_id LIKE $1', [`${runId}\\_%`]);
      if (rows[0].n > 0 && firstCommit === null) firstCommit = Date.now();
      if (rows[0].n === jobs.length) break;
      await sleep(20);
    }
    const seconds = (Date.now() - firstCommit) / 1000;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const counter = (name) => Number(metrics.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1]);
    const statements = counter('kw_usage_sql_statements_total');
    const rolledUp = counter('kw_usage_events_rolled_up_total');
    const { rows: sums } = await db.query(
      'SELECT granularity, sum(requests)::int AS requests FROM usage_rollups WHERE workspace_id = $1 GROUP BY 1 ORDER BY 1',
      [workspaceId],
    );
    const exact = sums.length === 3 && sums.every((row) => row.requests === EVENTS);
    const eventsPerSecond = Math.round(EVENTS / seconds);
    console.log(`\nworker rollup: ${EVENTS.toLocaleString('en-US')} events, batches of ${BATCH}, concurrency ${CONCURRENCY}`);
    console.log(`  ${eventsPerSecond.toLocaleString('en-US')} events/s (${seconds.toFixed(2)} s from first to last commit)`);
    console.log(`  ${((statements / rolledUp) * 1000).toFixed(1)} PostgreSQL statements per 1,000 events`);
    console.log(`  rollup sums: ${sums.map((row) => `${row.granularity} ${row.requests}`).join(', ')} → ${exact ? 'exact' : 'MISMATCH'}`);
    console.log(`  goal ≥ ${GOAL_EVENTS_PER_SECOND.toLocaleString('en-US')}/s: ${eventsPerSecond >= GOAL_EVENTS_PER_SECOND ? 'met' : 'below goal'}`);
    if (!exact) throw fail('rollup sums differ from the events sent');
  } finally {
    await stopServer(worker, 5_000);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await db.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
