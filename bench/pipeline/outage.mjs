#!/usr/bin/env node
// Usage during a Redis outage at full load: one API process with a disk spool
// (KW_USAGE_SPOOL_DIR) and one worker, both on a private redis-server. The bench loads
// POST /v1/keys/verify, stops Redis for BENCH_OUTAGE_SECONDS (default 60) under the same
// load, starts it again, then waits until the worker has rolled up every verify the API
// answered. Prints what was spooled (bytes per event, peak bytes), how fast the spool was
// replayed, and the loss (the goal: none, and no event counted twice).
//
//   pnpm bench:outage            (needs `pnpm build` first)
//
// Knobs: BENCH_OUTAGE_SECONDS, BENCH_CONNECTIONS, BENCH_WARMUP, DATABASE_URL, KW_PEPPER,
// BENCH_API_LOG.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keywarden } from '@keywarden/sdk';
import {
  API_CLI,
  apiEnv,
  children,
  fail,
  fmt,
  freePort,
  intFromEnv,
  load,
  log,
  machine,
  migrateAndBootstrap,
  postOnce,
  prepareServices,
  problemsOf,
  readSettings,
  RESULTS_DIR,
  ROOT,
  runBenchmark,
  startPrivateRedis,
  startServer,
  stopServer,
  usageMetricsOf,
} from '../lib/harness.mjs';

const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
const RESULTS_FILE = join(RESULTS_DIR, 'outage-latest.json');
const SCOPE = 'orders.read';

/** Verifies answered 200 with "valid": true, from one autocannon run. */
async function loadFor(seconds, url, request, connections, what) {
  const { result, firstMismatch } = await load({ url, request, connections, duration: seconds });
  const problems = problemsOf(result);
  if (problems.length > 0) throw fail(`${what}: ${problems.join('; ')}${firstMismatch ? `\n  first bad body: ${firstMismatch}` : ''}`);
  return result.requests.total;
}

async function main() {
  const settings = readSettings();
  const outageSeconds = intFromEnv('BENCH_OUTAGE_SECONDS', 60, { max: 3600 });
  for (const file of [API_MAIN, API_CLI, WORKER_MAIN]) {
    if (!existsSync(file)) throw fail(`${relative(ROOT, file)} not found: build first (cd ${ROOT} && pnpm build)`);
  }
  let redis = await startPrivateRedis('bench:outage');
  const spoolDir = mkdtempSync(join(tmpdir(), 'kw-bench-spool-'));
  process.on('exit', () => {
    redis.child.kill('SIGKILL');
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const services = { ...prepareServices(), redisUrl: redis.url };
  services.pepper = process.env.KW_PEPPER || randomBytes(48).toString('base64');
  const bootstrap = migrateAndBootstrap(services, 'bench-outage');

  const ready = async (port) => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
  const workerPort = await freePort();
  await startServer({ name: 'worker', script: WORKER_MAIN, port: workerPort, env: apiEnv(services, { WORKER_PORT: String(workerPort) }), ready });
  const apiPort = await freePort();
  await startServer({
    name: 'api',
    script: API_MAIN,
    port: apiPort,
    env: apiEnv(services, { KW_USAGE_SPOOL_DIR: spoolDir }),
    stdoutFile: settings.apiLog,
    ready,
  });

  const sdk = new Keywarden({ baseUrl: `http://127.0.0.1:${apiPort}`, apiKey: bootstrap.secret });
  // The admin key's own requests are usage events too: counted here, so that the app key's
  // verify events are exactly what the API accepted less these.
  let adminRequests = 2;
  const app = await sdk.apps.create({ name: 'bench-app', scopeCatalog: [SCOPE] });
  const appKey = await sdk.keys.create({ appId: app.id, name: 'bench-key', environment: 'live', scopes: [SCOPE] });
  const url = `http://127.0.0.1:${apiPort}/v1/keys/verify`;
  const request = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrap.secret}` },
    body: JSON.stringify({ key: appKey.secret, scope: SCOPE, model: 'bench-model', units: 42, cost: 0.0125, ip: '203.0.113.7' }),
  };
  const sanity = await postOnce(url, request);
  if (sanity.status !== 200 || !sanity.text.includes('"valid":true')) throw fail(`sanity request got ${sanity.status} ${sanity.text.slice(0, 300)}`);
  let verifies = 1; // answered, as the client saw them (a request cut off at the end of a run is not among them)

  const counted = async () => {
    adminRequests++;
    const usage = await sdk.usage.query({
      keyId: appKey.id,
      granularity: 'day',
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    });
    return usage.totals.requests;
  };
  const untilCounted = async (expected, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    let seen = await counted();
    while (seen < expected && Date.now() < deadline) {
      await sleep(500);
      seen = await counted();
    }
    return seen;
  };

  if (settings.warmup > 0) {
    log(`warm-up: ${settings.warmup} s with Redis up`);
    verifies += await loadFor(settings.warmup, url, request, settings.connections, 'warm-up');
  }
  // Whatever Redis holds is lost when it stops (no persistence): let the worker drain it first.
  if ((await untilCounted(verifies, 120_000)) < verifies) throw fail('the worker did not catch up before the outage');

  log(`outage: Redis stopped for ${outageSeconds} s under load (${settings.connections} connections)`);
  const before = await usageMetricsOf(apiPort);
  await stopServer({ ...redis, name: 'redis-server', exited: redis.child.exitCode !== null });
  let peakSpoolBytes = 0;
  const sampler = setInterval(() => {
    usageMetricsOf(apiPort).then((m) => (peakSpoolBytes = Math.max(peakSpoolBytes, m.spoolBytes)), () => undefined);
  }, 1_000);
  const outageVerifies = await loadFor(outageSeconds, url, request, settings.connections, 'load during the outage');
  verifies += outageVerifies;
  clearInterval(sampler);
  // The last batches leave memory for the disk within a flush interval.
  let during = await usageMetricsOf(apiPort);
  for (let i = 0; i < 50 && during.held > 0; i++) {
    await sleep(100);
    during = await usageMetricsOf(apiPort);
  }
  peakSpoolBytes = Math.max(peakSpoolBytes, during.spoolBytes);

  log('Redis back: replaying the spool');
  redis = await startPrivateRedis('bench:outage', redis.port);
  const replayStarted = Date.now();
  let after = await usageMetricsOf(apiPort);
  while (after.spoolBytes > 0 && Date.now() - replayStarted < 600_000) {
    await sleep(100);
    after = await usageMetricsOf(apiPort);
  }
  const replaySeconds = (Date.now() - replayStarted) / 1000;
  const replayed = after.replayed - before.replayed;
  await untilCounted(verifies, 600_000);
  // A few more seconds: anything counted twice would show up now.
  await sleep(3_000);
  const final = await counted();
  const accepted = (await usageMetricsOf(apiPort)).accepted;
  // Every usage event the API accepted, less the admin key's own requests (this query included).
  const expected = accepted - adminRequests;
  for (const server of [...children]) await stopServer(server);
  redis.child.kill('SIGTERM');

  const spooledEvents = during.spooled - before.spooled;
  const output = {
    benchmark: 'outage',
    description: `Redis stopped for ${outageSeconds} s under full verify load; usage spooled to disk and replayed`,
    timestamp: new Date().toISOString(),
    machine: machine(),
    settings: { outageSeconds, connections: settings.connections, warmup: settings.warmup },
    verifiesAnswered: verifies,
    verifiesDuringOutage: outageVerifies,
    outageVerifiesPerSecond: outageVerifies / outageSeconds,
    eventsSpooled: spooledEvents,
    peakSpoolBytes,
    spoolBytesPerEvent: spooledEvents > 0 ? peakSpoolBytes / spooledEvents : null,
    eventsReplayed: replayed,
    replaySeconds,
    replayEventsPerSecond: replaySeconds > 0 ? replayed / replaySeconds : null,
    dropped: after.dropped,
    verifyEventsAccepted: expected,
    countedByWorker: final,
    lost: Math.max(0, expected - final),
    countedTwice: Math.max(0, final - expected),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(
    `\n${fmt.int(outageVerifies)} verifies during a ${outageSeconds} s Redis outage (${fmt.int(output.outageVerifiesPerSecond)}/s), ` +
      `${fmt.int(spooledEvents)} events spooled, peak ${fmt.int(peakSpoolBytes)} bytes on disk ` +
      `(${output.spoolBytesPerEvent === null ? '-' : output.spoolBytesPerEvent.toFixed(0)} bytes/event)\n` +
      `replay: ${fmt.int(replayed)} events in ${replaySeconds.toFixed(1)} s (${fmt.int(output.replayEventsPerSecond)} events/s)\n` +
      `worker counted ${fmt.int(final)} verify events of ${fmt.int(expected)} the API accepted (${fmt.int(verifies)} answers seen by the client): ` +
      `${fmt.int(output.lost)} lost, ${fmt.int(output.countedTwice)} counted twice, ${fmt.int(after.dropped)} dropped by the API\n` +
      `results: ${relative(ROOT, RESULTS_FILE)}\n`,
  );
  if (final !== expected || final < verifies || after.dropped > 0) throw fail('usage was lost or counted twice during the outage');
}

runBenchmark(main);
