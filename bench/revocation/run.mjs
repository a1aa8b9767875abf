#!/usr/bin/env node
// Revocation read-your-writes across instances: a key is warm in API instance B's cache
// (KW_KEY_CACHE_TTL_MS 5 min, so only the invalidation can make B drop it), then revoked
// (or disabled, reported leaked, its customer suspended: the four kinds in turn) on
// instance A. The moment A answers, B is asked to verify the key, BENCH_REVOCATION_PROBES
// times in a row: a single VALID among those answers is a failure of the guarantee. B
// serves other verifies meanwhile (autocannon, BENCH_CONNECTIONS connections on another
// key), so its invalidations compete with real traffic.
//
//   pnpm build && pnpm bench:revocation
//
// Printed: VALID answers after return (goal 0), the change call's p50 / p99 (goal p99
// ≤ 50 ms), per kind, and how many answers reported every instance confirmed. Baseline in
// the same run: GET /v1/keys/:id on A, the same size of management call without the wait.
// Settings: BENCH_REVOCATION_TRIALS (default 60, at least 50), BENCH_REVOCATION_PROBES (3),
// BENCH_CONNECTIONS (10, 0 for none). Its own database (keywarden_bench_revocation),
// recreated each run, and its own queue namespace.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { API_CLI, apiEnv, fail, fmt, freePort, log, machine, percentile, prepareServices, recreateDatabase, RESULTS_DIR, ROOT, runBenchmark, runSync, startServer, stopServer, table } from '../lib/harness.mjs';

const TRIALS = Number(process.env.BENCH_REVOCATION_TRIALS ?? 60);
const PROBES = Number(process.env.BENCH_REVOCATION_PROBES ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DATABASE = 'keywarden_bench_revocation';
const RESULTS_FILE = join(RESULTS_DIR, 'revocation-latest.json');
const GOAL_P99_MS = 50;
const KINDS = ['revoke', 'disable', 'leak', 'suspend'];

async function call(method, url, headers, body) {
  // No body, no content type (an empty JSON body is refused).
  const { 'content-type': contentType, ...bare } = headers;
  const init = body === undefined ? { method, headers: bare } : { method, headers: { ...bare, 'content-type': contentType }, body: JSON.stringify(body) };
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw fail(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The change on A, timed from sending to the whole answer read. */
async function timedChange(kind, baseA, headers, key) {
  const started = performance.now();
  let answer;
  if (kind === 'revoke' || kind === 'disable') answer = await call('POST', `${baseA}/v1/keys/${key.id}/${kind}`, headers);
  else if (kind === 'leak') answer = await call('POST', `${baseA}/v1/leaks`, headers, { keyId: key.id, source: 'bench' });
  else answer = await call('POST', `${baseA}/v1/customers/${key.customerId}/suspend`, headers);
  return { ms: performance.now() - started, propagation: answer.propagation };
}

function stats(values) {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) };
}

async function main() {
  if (TRIALS < 50) throw fail('BENCH_REVOCATION_TRIALS must be at least 50');
  const services = prepareServices();
  const databaseUrl = await recreateDatabase(services.databaseUrl, DATABASE);
  const env = apiEnv({ ...services, databaseUrl, pepper: randomBytes(32).toString('hex') }, { KW_METERING: 'off', LOG_LEVEL: 'warn' });
  runSync(process.execPath, [API_CLI, 'migrate'], { env, what: 'migrate' });
  const { secret } = JSON.parse(runSync(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', 'bench-revocation'], { env, what: 'bootstrap' }));
  const ready = async (p) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).status === 200;
  const [portA, portB] = [await freePort(), await freePort()];
  const main = join(ROOT, 'apps/api/dist/main.js');
  const apiA = await startServer({ name: 'api-a', script: main, port: portA, env, ready });
  const apiB = await startServer({ name: 'api-b', script: main, port: portB, env: { ...env, KW_KEY_CACHE_TTL_MS: '300000' }, ready });
  const baseA = `http://127.0.0.1:${portA}`;
  const baseB = `http://127.0.0.1:${portB}`;
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  let background;
  try {
    const app = await call('POST', `${baseA}/v1/apps`, headers, { name: 'bench', scopeCatalog: ['bench.read'] });
    const createKey = async (customerId) => {
      const key = await call('POST', `${baseA}/v1/keys`, headers, { appId: app.id, name: 'bench', environment: 'live', scopes: ['bench.read'], ...(customerId ? { customerId } : {}) });
      return { ...key, customerId };
    };
    const verifyOnB = async (key) => (await call('POST', `${baseB}/v1/keys/verify`, headers, { key })).code;

    if (CONNECTIONS > 0) {
      const busyKey = await createKey(null);
      log(`B serves verifies of another key meanwhile (${CONNECTIONS} connections)`);
      background = autocannon({
        url: `${baseB}/v1/keys/verify`, method: 'POST', headers, body: JSON.stringify({ key: busyKey.secret }), connections: CONNECTIONS, duration: 3600,
      }, () => undefined);
    }

    log(`${TRIALS} trials (${KINDS.join(', ')} in turn), ${PROBES} verifies on B right after each answer`);
    const trials = [];
    const baseline = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const kind = KINDS[trial % KINDS.length];
      const customer = kind === 'suspend' ? await call('POST', `${baseA}/v1/customers`, headers, { externalId: `bench-${trial}-${Date.now()}` }) : null;
      const key = await createKey(customer?.id ?? null);
      if ((await verifyOnB(key.secret)) !== 'VALID') throw fail(`trial ${trial}: B does not admit the fresh key`);
      // Baseline: a management call on A of the same size, without any wait for instances.
      const started = performance.now();
      await call('GET', `${baseA}/v1/keys/${key.id}`, headers);
      baseline.push(performance.now() - started);
      const { ms, propagation } = await timedChange(kind, baseA, headers, key);
      const codes = [];
      for (let probe = 0; probe < PROBES; probe++) codes.push(await verifyOnB(key.secret));
      trials.push({ kind, ms, propagation, codes, validAfterReturn: codes.filter((code) => code === 'VALID').length });
    }

    const validAfterReturn = trials.reduce((sum, t) => sum + t.validAfterReturn, 0);
    const confirmed = trials.filter((t) => t.propagation?.confirmed).length;
    const overall = stats(trials.map((t) => t.ms));
    const byKind = Object.fromEntries(KINDS.map((kind) => [kind, stats(trials.filter((t) => t.kind === kind).map((t) => t.ms))]));
    const baselineStats = stats(baseline);
    const output = {
      benchmark: 'revocation',
      timestamp: new Date().toISOString(),
      machine: machine(),
      settings: { trials: TRIALS, probes: PROBES, backgroundConnections: CONNECTIONS },
      goal: { validAfterReturn: 0, changeP99MsAtMost: GOAL_P99_MS },
      validAfterReturn,
      confirmed,
      changeMs: overall,
      changeMsByKind: byKind,
      baselineGetMs: baselineStats,
      instancesReported: [...new Set(trials.map((t) => t.propagation?.instances))],
      trials,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);

    const rows = [
      ...KINDS.map((kind) => ({ label: kind, ...byKind[kind] })),
      { label: 'all changes', ...overall },
      { label: 'baseline: GET /v1/keys/:id', ...baselineStats },
    ];
    process.stdout.write(`\nrevocation benchmark — ${output.machine.cpus} CPUs, load average ${output.machine.loadAverage.map((n) => n.toFixed(2)).join(', ')}\n\n`);
    process.stdout.write(`${table(rows, [
      { title: 'call on A', get: (r) => r.label, left: true },
      { title: 'n', get: (r) => String(r.n) },
      { title: 'p50', get: (r) => fmt.ms(r.p50) },
      { title: 'p99', get: (r) => fmt.ms(r.p99) },
      { title: 'max', get: (r) => fmt.ms(r.max) },
    ])}\n\n`);
    process.stdout.write(`VALID answers on B after the change returned: ${validAfterReturn} of ${TRIALS * PROBES} (goal 0: ${validAfterReturn === 0 ? 'met' : 'NOT met'})\n`);
    process.stdout.write(`every instance confirmed before the answer: ${confirmed} of ${TRIALS} (instances reported: ${output.instancesReported.join(', ')})\n`);
    process.stdout.write(`change call p99 ${fmt.ms(overall.p99)} (goal ≤ ${GOAL_P99_MS} ms: ${overall.p99 <= GOAL_P99_MS ? 'met' : 'not met'}); ` +
      `p50 ${fmt.ratio(overall.p50 / baselineStats.p50)} of the baseline's\n`);
    process.stdout.write(`results: bench/results/revocation-latest.json\n`);
    if (validAfterReturn > 0) throw fail(`${validAfterReturn} verifies on B admitted a key after its change had returned on A`);
  } finally {
    background?.stop?.();
    await stopServer(apiA);
    await stopServer(apiB);
  }
}

runBenchmark(main);
