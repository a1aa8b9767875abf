#!/usr/bin/env node
// Usage-pipeline benchmark: POST /v1/keys/verify with metering on (one usage event per
// verify, buffered and enqueued to BullMQ, consumed by a real worker) vs metering off
// (KW_METERING=off), both API processes measured in the same run with the same load.
//
//   pnpm --filter @keywarden/bench pipeline     (needs `pnpm build` first)
//
// Same environment knobs as bench/verify/run.mjs (BENCH_DURATION, BENCH_CONNECTIONS,
// BENCH_WARMUP, BENCH_ROUNDS, BENCH_QUIET_WAIT, BENCH_NOISY_ATTEMPTS, DATABASE_URL,
// REDIS_URL, KW_PEPPER, BENCH_API_LOG). Goal: on ≥ 0.90 × off (req/s). Afterwards it
// checks that the worker metered every verify the metered API answered (no loss).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keywarden } from '@keywarden/sdk';
import {
  API_CLI,
  apiEnv,
  children,
  runBenchmark,
  fail,
  fmt,
  freePort,
  log,
  machine,
  migrateAndBootstrap,
  measure,
  postOnce,
  prepareServices,
  readSettings,
  RESULTS_DIR,
  ROOT,
  startServer,
  stopServer,
  summarise,
  table,
  usageMetricsOf,
  waitForQuietMachine,
} from '../lib/harness.mjs';

const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
const GOAL_RATIO = 0.9;
const SCOPE = 'orders.read';

async function main() {
  const settings = readSettings();
  for (const file of [API_MAIN, API_CLI, WORKER_MAIN]) {
    if (!existsSync(file)) throw fail(`${relative(ROOT, file)} not found: build first (cd ${ROOT} && pnpm build)`);
  }
  const services = prepareServices();
  services.pepper = process.env.KW_PEPPER || randomBytes(48).toString('base64');
  const bootstrap = migrateAndBootstrap(services, 'bench-pipeline');

  const ready = async (port) => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
  // BENCH_PIPELINE_WORKER=0: no worker during the runs, to isolate the API's own cost
  // (the worker and PostgreSQL share the machine's CPUs with the API otherwise).
  const withWorker = process.env.BENCH_PIPELINE_WORKER !== '0';
  const workerPort = await freePort();
  const startWorker = () => {
    log(`starting the worker on :${workerPort}`);
    return startServer({ name: 'worker', script: WORKER_MAIN, port: workerPort, env: apiEnv(services, { WORKER_PORT: String(workerPort) }), ready });
  };
  if (withWorker) await startWorker();

  const [onPort, offPort] = [await freePort(), await freePort()];
  const on = await startServer({ name: 'metering-on', script: API_MAIN, port: onPort, env: apiEnv(services, { KW_METERING: 'on' }), stdoutFile: settings.apiLog, ready });
  const off = await startServer({ name: 'metering-off', script: API_MAIN, port: offPort, env: apiEnv(services, { KW_METERING: 'off' }), stdoutFile: settings.apiLog, ready });

  const sdk = new Keywarden({ baseUrl: `http://127.0.0.1:${onPort}`, apiKey: bootstrap.secret });
  const app = await sdk.apps.create({ name: 'bench-app', scopeCatalog: [SCOPE] });
  const appKey = await sdk.keys.create({ appId: app.id, name: 'bench-key', environment: 'live', scopes: [SCOPE] });
  // A metered verify with every field: model, units, a decimal cost.
  const request = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrap.secret}` },
    body: JSON.stringify({ key: appKey.secret, scope: SCOPE, model: 'bench-model', units: 42, cost: 0.0125 }),
  };
  const targets = [
    { name: 'metering-off', server: off, url: `http://127.0.0.1:${offPort}/v1/keys/verify`, request },
    { name: 'metering-on', server: on, url: `http://127.0.0.1:${onPort}/v1/keys/verify`, request },
  ];
  for (const target of targets) {
    const { status, text } = await postOnce(target.url, request);
    if (status !== 200 || !text.includes('"valid":true')) throw fail(`${target.name}: sanity request got ${status} ${text.slice(0, 300)}`);
  }

  const runs = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of round % 2 ? targets : [...targets].reverse()) {
      let run;
      for (let attempt = 1; ; attempt++) {
        await waitForQuietMachine(settings);
        log(`round ${round}/${settings.rounds}: ${target.name}` + (attempt > 1 ? `, attempt ${attempt}` : ''));
        run = await measure(target, settings, `round ${round}`);
        if (!run.noisy || run.problems.length > 0 || attempt >= settings.noisyAttempts) break;
      }
      if (run.problems.length > 0) throw fail(`${target.name} answered incorrectly under load: ${run.problems.join('; ')}`);
      log(`  ${fmt.int(run.reqPerSecMean)} req/s, p50 ${fmt.ms(run.latencyMs.p50)}, p99 ${fmt.ms(run.latencyMs.p99)}, CPU ${fmt.pct(run.serverCpuPercent)}`);
      runs.push(run);
      await sleep(500);
    }
  }
  const summary = { off: summarise(runs, 'metering-off'), on: summarise(runs, 'metering-on') };
  const ratio = summary.on.reqPerSecMedian / summary.off.reqPerSecMedian;

  if (!withWorker) await startWorker();
  // No loss: every verify the metered API answered (sanity + warm-ups + runs) is counted.
  const pipeline = await usageMetricsOf(onPort);
  const verifyEvents = pipeline.accepted; // verify events + the few SDK setup requests
  let counted = 0;
  let queries = 0;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const usage = await sdk.usage.query({
      keyId: appKey.id,
      granularity: 'day',
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    });
    counted = usage.totals.requests;
    // All but the admin key's own requests (apps.create, keys.create, these queries).
    if (counted >= verifyEvents - 2 - queries || Date.now() > deadline) break;
    queries++;
    await sleep(500);
  }
  const finalMetrics = await usageMetricsOf(onPort);
  await stopServer(on);
  await stopServer(off);
  for (const server of [...children]) await stopServer(server);

  const output = {
    benchmark: 'pipeline',
    description: 'POST /v1/keys/verify with KW_METERING=on (events → BullMQ → worker) vs off',
    timestamp: new Date().toISOString(),
    machine: machine(),
    settings: { ...settings, workerDuringRuns: withWorker, cpus: machine().cpus ?? null },
    goal: { ratio: GOAL_RATIO, met: ratio >= GOAL_RATIO },
    ratio,
    summary,
    pipeline: { ...finalMetrics, meteredVerifiesCounted: counted },
    runs,
  };
  const RESULTS_FILE = join(RESULTS_DIR, withWorker ? 'pipeline-latest.json' : 'pipeline-api-only-latest.json');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(
    `\n${table([summary.off, summary.on], [
      { title: 'api', get: (r) => r.server, left: true },
      { title: 'req/s (median)', get: (r) => fmt.int(r.reqPerSecMedian) },
      { title: 'p50', get: (r) => fmt.ms(r.latencyP50MsMedian) },
      { title: 'p99', get: (r) => fmt.ms(r.latencyP99MsMedian) },
      { title: 'CPU', get: (r) => fmt.pct(r.serverCpuPercent) },
      { title: 'µs CPU/req', get: (r) => fmt.int(r.serverCpuMicrosPerRequest) },
    ])}\n\n` +
      `on / off = ${fmt.ratio(ratio)} (goal ≥ ${fmt.ratio(GOAL_RATIO)}: ${ratio >= GOAL_RATIO ? 'met' : 'below goal'})\n` +
      `pipeline: ${fmt.int(finalMetrics.accepted)} events accepted, ${fmt.int(finalMetrics.dropped)} dropped, ` +
      `${fmt.int(finalMetrics.batches)} batches (${fmt.int(finalMetrics.enqueued / Math.max(1, finalMetrics.batches))} events/batch), ` +
      `${fmt.int(finalMetrics.flushFailures)} flush failures; worker counted ${fmt.int(counted)} verifies of the key ` +
      `(of ${fmt.int(verifyEvents - 2 - queries)} expected)${withWorker ? '' : '; worker started after the runs (BENCH_PIPELINE_WORKER=0)'}\n` +
      `results: ${relative(ROOT, RESULTS_FILE)}\n`,
  );
}

runBenchmark(main);
