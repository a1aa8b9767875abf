#!/usr/bin/env node
// Webhook delivery: (1) deliveries per second from one worker to a local receiver, against
// a baseline of the same signed POSTs sent by a bare loop (bare-sender.mjs) to the same
// receiver in the same run; (2) latency from an event committed to the outbox to its
// delivery arriving, at a steady rate with the worker idle otherwise.
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { deriveSecretBoxKey, generateWebhookSecret, newId, sealSecret } from '@keywarden/core';
import pg from 'pg';
import { API_CLI, apiEnv, cpuSecondsOf, fail, freePort, log, prepareServices, ROOT, runSync, startServer, stopServer } from '../lib/harness.mjs';

const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
const BARE_SENDER = fileURLToPath(new URL('./bare-sender.mjs', import.meta.url));
const DELIVERIES = Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 20_000);
const CONCURRENCY = Number(process.env.KW_WEBHOOK_CONCURRENCY ?? 50);
const LATENCY_RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 100);
const LATENCY_SECONDS = Number(process.env.BENCH_WEBHOOK_LATENCY_SECONDS ?? 10);
const GOAL_PER_SECOND = 1_000;
const GOAL_P95_MS = 1_000;
const BENCH_PEPPER = 'bench-pepper-0123456789abcdef0123456789abcdef';

/** Counts arrivals; `arrivals` maps webhook-id → arrival times (so duplicates show). */
async function startReceiver() {
  const arrivals = new Map();
  let first = null;
  let last = null;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      first ??= now;
      last = now;
      const id = request.headers['webhook-id'];
      arrivals.set(id, [...(arrivals.get(id) ?? []), now]);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    arrivals,
    reset() {
      arrivals.clear();
      first = last = null;
    },
    span: () => (last - first) / 1000,
    count: () => [...arrivals.values()].reduce((sum, times) => sum + times.length, 0),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function waitForArrivals(receiver, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (receiver.count() < expected) {
    if (Date.now() > deadline) throw fail(`only ${receiver.count()} of ${expected} deliveries arrived`);
    await sleep(20);
  }
}

async function fixture(db, receiverUrl, runId) {
  const workspaceId = `ws_${runId}`;
  const appId = `app_${runId}`;
  await db.query(`INSERT INTO workspaces (id, name) VALUES ($1, $1)`, [workspaceId]);
  await db.query(
    `INSERT INTO apps (id, workspace_id, name, timezone, business_hours, environments) VALUES ($1, $2, $1, 'UTC', '{}', '{live}')`,
    [appId, workspaceId],
  );
  // Sealed with the bench pepper, the way the API seals it.
  const endpointId = newId('webhookEndpoint');
  const sealed = sealSecret(deriveSecretBoxKey(BENCH_PEPPER), generateWebhookSecret(), endpointId);
  await db.query(`INSERT INTO webhook_endpoints (id, workspace_id, app_id, url, secret_sealed) VALUES ($1, $2, $3, $4, $5)`, [
    endpointId,
    workspaceId,
    appId,
    receiverUrl,
    sealed,
  ]);
  return { workspaceId, appId };
}

function insertEvents(db, { workspaceId, appId }, count) {
  const ids = Array.from({ length: count }, () => newId('webhookEvent'));
  return db
    .query(
      `INSERT INTO webhook_events (id, workspace_id, app_id, type, data)
       SELECT id, $2, $3, 'key.created', jsonb_build_object('keyId', id, 'appId', $3::text, 'environment', 'live', 'name', 'bench', 'prefix', 'kw_live_abcd')
         FROM unnest($1::text[]) AS id`,
      [ids, workspaceId, appId],
    )
    .then(() => ids);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runBare(receiver) {
  const child = spawn(process.execPath, [BARE_SENDER, receiver.url, String(DELIVERIES), String(CONCURRENCY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw fail('bare sender failed');
  return { perSecond: DELIVERIES / receiver.span(), cpuUsPerDelivery: (JSON.parse(output).cpuSeconds * 1e6) / DELIVERIES };
}

async function main() {
  const services = prepareServices();
  services.pepper = BENCH_PEPPER;
  runSync(process.execPath, [API_CLI, 'migrate'], { env: apiEnv(services), what: 'migrate' });
  const runId = `whb_${randomUUID().slice(0, 8)}`;
  const db = new pg.Client({ connectionString: services.databaseUrl });
  await db.connect();
  const receiver = await startReceiver();
  const subject = await fixture(db, receiver.url, runId);

  log(`baseline: bare sender, ${DELIVERIES.toLocaleString('en-US')} POSTs, concurrency ${CONCURRENCY}`);
  const bare = await runBare(receiver);
  receiver.reset();

  // The backlog is in the outbox before the worker starts; the clock runs from the first
  // arrival to the last, so start-up is not counted.
  await insertEvents(db, subject, DELIVERIES);
  log(`worker: ${DELIVERIES.toLocaleString('en-US')} events in the outbox, one endpoint`);
  const port = await freePort();
  const worker = await startServer({
    name: 'worker',
    script: WORKER_MAIN,
    port,
    env: apiEnv(services, {
      WORKER_PORT: String(port),
      LOG_LEVEL: 'warn',
      KW_QUEUE_PREFIX: `kwbench_${runId}`,
      KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      KW_WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    }),
    // BENCH_PROFILE=1: a V8 CPU profile of the worker, written when it stops (summarise it
    // with bench/verify/cpu-profile-summary.mjs).
    nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/results')}`] : [],
    ready: async (p) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).ok,
  });
  try {
    // Worker CPU from the first arrival to the last: start-up is not counted.
    await waitForArrivals(receiver, 1, 120_000);
    const [cpuBefore, countBefore] = [cpuSecondsOf(worker.child.pid), receiver.count()];
    await waitForArrivals(receiver, DELIVERIES, 600_000);
    const workerCpuUs = ((cpuSecondsOf(worker.child.pid) - cpuBefore) * 1e6) / (DELIVERIES - countBefore);
    const throughput = DELIVERIES / receiver.span();
    const duplicates = [...receiver.arrivals.values()].filter((times) => times.length > 1).length;
    if (receiver.arrivals.size !== DELIVERIES) throw fail(`${receiver.arrivals.size} distinct events arrived, expected ${DELIVERIES}`);
    await sleep(1_000);
    receiver.reset();

    log(`latency: ${LATENCY_RATE} events/s for ${LATENCY_SECONDS} s, one per INSERT (each its own transaction)`);
    const committedAt = new Map();
    const total = LATENCY_RATE * LATENCY_SECONDS;
    const start = Date.now();
    for (let n = 0; n < total; n++) {
      const due = start + (n * 1000) / LATENCY_RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const [id] = await insertEvents(db, subject, 1);
      committedAt.set(id, performance.timeOrigin + performance.now());
    }
    await waitForArrivals(receiver, total, 60_000);
    const latencies = [...committedAt].map(([id, at]) => receiver.arrivals.get(id)[0] - at).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const p99 = percentile(latencies, 99);

    console.log(`\nwebhook delivery, one worker, concurrency ${CONCURRENCY}, receiver on 127.0.0.1`);
    console.log(`  bare sender (baseline):   ${Math.round(bare.perSecond).toLocaleString('en-US')} POSTs/s, ${Math.round(bare.cpuUsPerDelivery)} µs CPU per POST`);
    console.log(
      `  keywarden worker:         ${Math.round(throughput).toLocaleString('en-US')} deliveries/s, ${Math.round(workerCpuUs)} µs CPU per delivery` +
        ` (${DELIVERIES.toLocaleString('en-US')} from the outbox, ${duplicates} delivered twice)`,
    );
    console.log(`  ratio worker ÷ bare:      ${(throughput / bare.perSecond).toFixed(2)} (throughput), ${(bare.cpuUsPerDelivery / workerCpuUs).toFixed(2)} (CPU per delivery, bare ÷ worker)`);
    console.log(`  goal ≥ ${GOAL_PER_SECOND.toLocaleString('en-US')}/s: ${throughput >= GOAL_PER_SECOND ? 'met' : 'below goal'}`);
    console.log(`  event committed → delivered at ${LATENCY_RATE}/s: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
    console.log(`  goal p95 ≤ ${GOAL_P95_MS} ms: ${p95 <= GOAL_P95_MS ? 'met' : 'below goal'}`);
  } finally {
    await stopServer(worker, 10_000);
    await receiver.close();
    await db.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
