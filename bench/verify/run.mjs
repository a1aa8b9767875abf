#!/usr/bin/env node
// Verify benchmark: POST /v1/keys/verify on the Keywarden API against a bare Fastify
// server answering a fixed JSON, both measured in the same run with the same load. For
// reference, the same bare server also answers Keywarden's answer (its fields and headers):
// what the answer itself costs in Node and Fastify.
//
//   pnpm bench:verify            (repo root; needs `pnpm build` first)
//   pnpm --filter @keywarden/bench verify
//
// Environment (all optional):
//   BENCH_DURATION=10     seconds per measured run
//   BENCH_CONNECTIONS=50  concurrent connections (autocannon, no pipelining)
//   BENCH_WARMUP=3        seconds of discarded warm-up before every measured run
//   BENCH_ROUNDS=2        rounds of (bare, keywarden) in alternating order
//   BENCH_QUIET_WAIT=120  before each run, wait up to this many seconds for other CPU load
//                         (builds, tests) to stop; runs disturbed anyway are flagged `noisy`
//   BENCH_NOISY_ATTEMPTS=3  measure a run again (up to this many attempts) when other
//                         processes used more than 25% of a CPU during it
//   BENCH_API_LOG=FILE    API stdout (its pino logs) to FILE instead of /dev/null
//   BENCH_PROFILE=1       after the measured rounds, one extra load run against a fresh
//                         process of each server under the V8 CPU profiler (not counted in
//                         the results); prints where the API's CPU time goes vs the bare
//                         server's, and saves bench/results/profiles/*.cpuprofile
//   BENCH_PROFILE_TARGET=keywarden  which verify the profiled API run sends: keywarden (the
//                         key without policy), policies (every policy kind) or lease
//                         (every policy kind + concurrency lease)
//   DATABASE_URL, REDIS_URL  use these servers/databases as they are; when unset, the
//                         local ones are started (infra/services.sh start) and a fresh
//                         database `keywarden_bench` is created (dropped first)
//   KW_PEPPER             pepper for the API (default: random per run)
//   BENCH_API_LOG_LEVEL   LOG_LEVEL of the API (default info, production-like; for experiments)
//   BENCH_API_MAIN=FILE   run this main.js as the API instead of apps/api/dist/main.js
//                         (migrations and bootstrap still use apps/api/dist/cli.js)
//   BENCH_HALF_LOAD_RATE=N  the half-load runs only, at N req/s (no saturated rounds, no
//                         two-process run); results in results/verify-half-load-latest.json
//   BENCH_SERVER_NODE_ARGS="--flag ..."  node flags for both measured servers alike (e.g. GC
//                         experiments: --single-threaded-gc, --max-semi-space-size=N)
//   BENCH_HALF_LOAD_AUTOCANNON=1  after each paced half-load run, the same rate once more
//                         with autocannon's overallRate, for comparison (README: why not)
//
// Exit code: 0 when the benchmark ran and every response was correct (a ratio below the
// goal is reported, not an error); 1 on any failure, including a single non-200 or
// `valid:false` answer; 2 on bad settings.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keywarden } from '@keywarden/sdk';
import { summariseProfile, formatSummary } from './cpu-profile-summary.mjs';
import { APP_KEY_POLICY, CUSTOMER_POLICY, LEASE_CONCURRENCY, LEASE_TTL_MS, POLICY_VERIFY_FIELDS } from '../lib/policies.mjs';
import { pacedLoad } from '../lib/paced-load.mjs';
import {
  answersValid,
  API_CLI,
  apiEnv,
  cpuSecondsOf,
  fail,
  fmt,
  freePort,
  intFromEnv,
  load,
  log,
  machine,
  machineBusySeconds,
  measure,
  NOISY_OTHER_CPU_PERCENT,
  postOnce,
  prepareServices,
  problemsOf,
  readSettings,
  redactUrl,
  RESULTS_DIR,
  ROOT,
  runBenchmark,
  runSync,
  startServer,
  stopServer,
  summarise,
  table,
  UsageError,
  waitForQuietMachine,
} from '../lib/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// BENCH_API_MAIN: benchmark another build of the API (e.g. an experiment) instead of apps/api/dist.
const API_MAIN = process.env.BENCH_API_MAIN ? resolve(process.env.BENCH_API_MAIN) : join(ROOT, 'apps/api/dist/main.js');
const BARE_SERVER = join(HERE, 'bare-fastify.mjs');
const PROFILE_PRELOAD = join(HERE, 'cpu-profile-preload.cjs');
const LOOP_DELAY_PRELOAD = join(HERE, 'loop-delay-preload.cjs');
const RESULTS_FILE = join(RESULTS_DIR, 'verify-latest.json');
const HALF_LOAD_RESULTS_FILE = join(RESULTS_DIR, 'verify-half-load-latest.json');
const GOAL_RATIO = 0.6;
const GOAL_POLICY_RATIO = 0.55;
const GOAL_HALF_LOAD_P50_MS = 1;
const GOAL_HALF_LOAD_P99_MS = 5;
const SCOPE = 'orders.read';
const PROFILE_TARGETS = ['keywarden', 'policies', 'lease'];

function packageVersion(name, require = createRequire(import.meta.url)) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return null;
  }
}

/** The fastify the API really runs: the one @nestjs/platform-fastify resolves. */
function apiFastifyVersion() {
  try {
    const fromApi = createRequire(join(ROOT, 'apps/api/package.json'));
    const platform = fromApi.resolve('@nestjs/platform-fastify');
    return packageVersion('fastify', createRequire(platform));
  } catch {
    return null;
  }
}

function formatProfiles(profile) {
  const { bare, keywarden, perRequest } = profile;
  const out = [''];
  out.push('CPU profiles (one extra run per server under the V8 profiler; not part of the results above)');
  for (const p of [bare, keywarden]) {
    out.push(`  ${p.server}: ${fmt.int(p.reqPerSec)} req/s under the profiler, ${p.file}`);
  }
  out.push(`  busy CPU per request: keywarden ${fmt.int(perRequest.keywardenBusyMicrosPerRequest)} µs, ` +
    `bare ${fmt.int(perRequest.bareBusyMicrosPerRequest)} µs (main thread, sampled)`);
  out.push('');
  out.push('  self CPU per request by package, keywarden vs bare (native code charged to its JS caller):');
  out.push(
    table(
      perRequest.rows.filter((r) => Math.abs(r.extraMicros) >= 1 || r.keywardenMicros >= 2).slice(0, 30),
      [
        { title: '    package', get: (r) => `    ${r.name}`, left: true },
        { title: 'keywarden µs', get: (r) => r.keywardenMicros.toFixed(1) },
        { title: 'bare µs', get: (r) => r.bareMicros.toFixed(1) },
        { title: 'extra µs', get: (r) => r.extraMicros.toFixed(1) },
      ],
    ),
  );
  out.push('');
  out.push('  keywarden profile:');
  out.push(formatSummary(keywarden.summary));
  return out.join('\n');
}

// ---------------------------------------------------------------- main

/** Sends `message` to a server started with an IPC channel and waits for its `replyType` answer (or its `errorType`). */
function askServer(server, message, replyType, errorType = null) {
  return new Promise((resolveReply, reject) => {
    const onMessage = (reply) => {
      if (reply?.type === replyType) {
        server.child.off('message', onMessage);
        resolveReply(reply);
      } else if (errorType && reply?.type === errorType) {
        server.child.off('message', onMessage);
        reject(fail(`${server.name}: ${reply.message}`));
      }
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/**
 * Latency at a fixed rate (the paced open-loop generator, lib/paced-load.mjs), with the
 * server's event-loop delay and GC pauses over the same window (loop-delay-preload.cjs),
 * and optionally autocannon's overallRate at the same rate for comparison.
 */
async function measureHalfLoad(target, rate, settings) {
  const pid = target.server.child.pid;
  let result;
  for (let attempt = 1; ; attempt++) {
    await waitForQuietMachine(settings);
    log(`half load: ${target.name} at ${fmt.int(rate)} req/s, paced open loop (${settings.warmup} s warm-up, ${settings.duration} s measured)` +
      (attempt > 1 ? `, attempt ${attempt}` : ''));
    let before = null;
    const run = await pacedLoad({
      url: target.url,
      request: target.request,
      rate,
      connections: settings.connections,
      warmup: settings.warmup,
      duration: settings.duration,
      check: answersValid,
      onMeasureStart: () => {
        before = { server: cpuSecondsOf(pid), machine: machineBusySeconds() };
        target.server.child.send({ type: 'loop-delay-start' });
      },
    });
    const after = { server: cpuSecondsOf(pid), machine: machineBusySeconds() };
    const loop = await askServer(target.server, { type: 'loop-delay-stop' }, 'loop-delay');
    if (run.problems.length > 0) {
      throw fail(`${target.name} answered incorrectly at half load: ${run.problems.join('; ')}` +
        (run.firstBadBody ? `\n  first bad body: ${run.firstBadBody}` : ''));
    }
    const serverCpuSeconds = before.server === null || after.server === null ? null : after.server - before.server;
    const otherCpuPercent = serverCpuSeconds === null || before.machine === null || after.machine === null
      ? null
      : (100 * Math.max(0, after.machine - before.machine - serverCpuSeconds - run.clientCpuSeconds)) / run.durationSec;
    result = {
      ...run,
      attempt,
      serverCpuMicrosPerRequest: serverCpuSeconds === null ? null : (1e6 * serverCpuSeconds) / run.requests,
      otherCpuPercent,
      noisy: otherCpuPercent !== null && otherCpuPercent > NOISY_OTHER_CPU_PERCENT,
      eventLoopDelayMs: loop.delayMs,
      gc: loop.gc,
    };
    log(`  ${fmt.int(run.achievedRate)} req/s achieved, p50 ${fmt.ms(run.latencyMs.p50)}, p90 ${fmt.ms(run.latencyMs.p90)}, ` +
      `p99 ${fmt.ms(run.latencyMs.p99)}, p99.9 ${fmt.ms(run.latencyMs.p999)}, max ${fmt.ms(run.latencyMs.max)}; ` +
      `generator lateness p99 ${fmt.ms(run.generatorLatenessMs.p99)}; server ${fmt.int(result.serverCpuMicrosPerRequest)} CPU µs/req, ` +
      `event-loop delay p99 ${fmt.ms(loop.delayMs.p99)}, max ${fmt.ms(loop.delayMs.max)}; GC ${formatGc(loop.gc)}; ` +
      `other processes ${fmt.pct(otherCpuPercent)} CPU`);
    if (!result.noisy || attempt >= settings.noisyAttempts) break;
    log(`  other processes used ${fmt.pct(otherCpuPercent)} CPU meanwhile: measuring again`);
  }
  if (settings.halfLoadAutocannon) {
    await waitForQuietMachine(settings);
    const { result: ac } = await load({ url: target.url, request: target.request, connections: settings.connections, duration: settings.duration, overallRate: rate });
    const problems = problemsOf(ac);
    if (problems.length > 0) throw fail(`${target.name} answered incorrectly at half load (autocannon): ${problems.join('; ')}`);
    result.autocannonOverallRate = {
      reqPerSecMean: ac.requests.mean,
      latencyMs: { p50: ac.latency.p50, p90: ac.latency.p90, p99: ac.latency.p99, max: ac.latency.max },
    };
    log(`  autocannon overallRate at the same rate: ${fmt.int(ac.requests.mean)} req/s, p50 ${fmt.ms(ac.latency.p50)}, p99 ${fmt.ms(ac.latency.p99)}`);
  }
  return result;
}

function formatGc(gc) {
  const kinds = Object.entries(gc ?? {});
  if (kinds.length === 0) return 'none';
  return kinds.map(([kind, k]) => `${kind} ${k.count}× (max ${fmt.ms(k.maxMs)}, ${k.over1Ms} over 1 ms)`).join(', ');
}

function formatHalfLoad(rate, halfLoad) {
  const { bare, keywarden } = halfLoad;
  const line = (name, r) =>
    `  ${name}: ${fmt.int(r.achievedRate)} req/s achieved, p50 ${fmt.ms(r.latencyMs.p50)}, p90 ${fmt.ms(r.latencyMs.p90)}, ` +
    `p99 ${fmt.ms(r.latencyMs.p99)}, p99.9 ${fmt.ms(r.latencyMs.p999)}, max ${fmt.ms(r.latencyMs.max)}; ` +
    `${fmt.int(r.serverCpuMicrosPerRequest)} CPU µs/req; event-loop delay p99 ${fmt.ms(r.eventLoopDelayMs.p99)}, max ${fmt.ms(r.eventLoopDelayMs.max)}` +
    (r.noisy ? `; (!) other processes used ${fmt.pct(r.otherCpuPercent)} CPU` : '') +
    (r.autocannonOverallRate
      ? `\n    (autocannon overallRate, same rate: p50 ${fmt.ms(r.autocannonOverallRate.latencyMs.p50)}, p99 ${fmt.ms(r.autocannonOverallRate.latencyMs.p99)})`
      : '');
  const met = keywarden.latencyMs.p50 <= GOAL_HALF_LOAD_P50_MS && keywarden.latencyMs.p99 <= GOAL_HALF_LOAD_P99_MS;
  return [
    `half load (${fmt.int(rate)} req/s, paced open loop, latency from each request's due time; ` +
      `goal keywarden p50 ≤ ${GOAL_HALF_LOAD_P50_MS} ms, p99 ≤ ${GOAL_HALF_LOAD_P99_MS} ms: ${met ? 'met' : 'not met'}):`,
    line('keywarden', keywarden),
    line('bare-fastify', bare),
  ].join('\n');
}

/**
 * One extra load run against a fresh process of `spec` under the V8 CPU profiler (started
 * and stopped over IPC by cpu-profile-preload.cjs, so only the load window is sampled).
 */
async function profileServer(spec, { request, settings }) {
  const profileDir = join(RESULTS_DIR, 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const file = join(profileDir, `verify-${spec.key}-latest.cpuprofile`);
  log(`profiling ${spec.name}: fresh process under the CPU profiler (${settings.warmup} s warm-up, ${settings.duration} s profiled)`);
  const port = await freePort();
  const server = await startServer({
    name: `${spec.name} (profiled)`,
    script: spec.script,
    port,
    env: spec.env,
    stdoutFile: spec.stdoutFile ?? null,
    nodeArgs: ['--require', PROFILE_PRELOAD],
    ipc: true,
    ready: spec.ready,
  });
  try {
    const url = `http://127.0.0.1:${port}${spec.path}`;
    await waitForQuietMachine(settings);
    if (settings.warmup > 0) await load({ url, request, connections: settings.connections, duration: settings.warmup });
    await askServer(server, { type: 'cpu-profile-start' }, 'cpu-profile-started', 'cpu-profile-error');
    const { result } = await load({ url, request, connections: settings.connections, duration: settings.duration });
    await askServer(server, { type: 'cpu-profile-stop', file }, 'cpu-profile-written', 'cpu-profile-error');
    const problems = problemsOf(result);
    if (problems.length > 0) throw fail(`${spec.name} answered incorrectly during the profiled run: ${problems.join('; ')}`);
    log(`  ${fmt.int(result.requests.mean)} req/s with the profiler on (not part of the results)`);
    const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top: 40 });
    summary.requests = result.requests.total;
    return { server: spec.name, file: relative(ROOT, file), reqPerSec: result.requests.mean, requests: result.requests.total, summary };
  } finally {
    await stopServer(server);
  }
}

/** Per-request self CPU by package: keywarden, bare, and the difference. */
function perRequestDiff(kw, bare) {
  const perReq = (p) => new Map(p.summary.selfByPackage.map((r) => [r.name, (1000 * r.ms) / p.requests]));
  const k = perReq(kw);
  const b = perReq(bare);
  const names = new Set([...k.keys(), ...b.keys()]);
  const rows = [...names].map((name) => ({
    name,
    keywardenMicros: k.get(name) ?? 0,
    bareMicros: b.get(name) ?? 0,
    extraMicros: (k.get(name) ?? 0) - (b.get(name) ?? 0),
  }));
  rows.sort((x, y) => y.extraMicros - x.extraMicros);
  return {
    keywardenBusyMicrosPerRequest: (1000 * kw.summary.busyMs) / kw.requests,
    bareBusyMicrosPerRequest: (1000 * bare.summary.busyMs) / bare.requests,
    rows,
  };
}

async function main() {
  const settings = {
    ...readSettings(),
    halfLoadRate: process.env.BENCH_HALF_LOAD_RATE ? intFromEnv('BENCH_HALF_LOAD_RATE', null, { max: 1_000_000 }) : null,
    serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    halfLoadAutocannon: process.env.BENCH_HALF_LOAD_AUTOCANNON === '1' || process.env.BENCH_HALF_LOAD_AUTOCANNON === 'true',
  };
  const profileTarget = process.env.BENCH_PROFILE_TARGET || 'keywarden';
  if (!PROFILE_TARGETS.includes(profileTarget)) {
    throw new UsageError(`BENCH_PROFILE_TARGET must be one of ${PROFILE_TARGETS.join(', ')}, got "${profileTarget}"`);
  }
  if (!existsSync(API_MAIN) || !existsSync(API_CLI)) {
    throw fail(`${relative(ROOT, API_MAIN)} not found: build first (cd ${ROOT} && pnpm build)`);
  }
  log(`settings: ${settings.rounds} rounds × (bare, keywarden), ${settings.connections} connections, ` +
    `${settings.warmup} s warm-up + ${settings.duration} s measured per run`);

  const services = prepareServices();
  services.pepper = process.env.KW_PEPPER || randomBytes(48).toString('base64');

  log('applying migrations');
  runSync(process.execPath, [API_CLI, 'migrate'], { env: apiEnv(services), what: 'migrate' });
  const workspaceName = `bench-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const bootstrapOut = runSync(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', workspaceName], {
    env: apiEnv(services),
    what: 'bootstrap',
  });
  const jsonLine = bootstrapOut.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const bootstrap = jsonLine ? JSON.parse(jsonLine) : {};
  if (!bootstrap.secret) throw fail('bootstrap printed no secret');
  log(`workspace ${workspaceName} (${bootstrap.workspaceId}) bootstrapped`);

  // How to start each server; the measured runs and the profiled runs use the same specs.
  const specs = {
    keywarden: {
      key: 'keywarden',
      name: 'keywarden',
      script: API_MAIN,
      path: '/v1/keys/verify',
      // The owner key keeps a (per-minute) rate limit, as every admin key has: one far above
      // the load, so that the limiter runs on every verify and never refuses.
      env: apiEnv(services, { KW_ADMIN_RATE_LIMIT_PER_MINUTE: '1000000000', KW_LEASE_TTL_MS: String(LEASE_TTL_MS) }),
      stdoutFile: settings.apiLog,
      ready: async (port) => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok,
    },
    bare: {
      key: 'bare',
      name: 'bare-fastify',
      script: BARE_SERVER,
      path: '/verify',
      env: { ...process.env, NODE_ENV: 'production' },
      stdoutFile: null,
      // Set below, once the request exists.
      ready: null,
    },
  };

  const [apiPort, barePort] = [await freePort(), await freePort()];
  log(`starting the Keywarden API on :${apiPort} (LOG_LEVEL=${specs.keywarden.env.LOG_LEVEL}, stdout → ${settings.apiLog ?? '/dev/null'})`);
  // Both measured servers carry the event-loop monitor (idle until a half-load run asks).
  const monitored = { nodeArgs: [...settings.serverNodeArgs, '--require', LOOP_DELAY_PRELOAD], ipc: true };
  const api = await startServer({ ...specs.keywarden, ...monitored, port: apiPort });

  const sdk = new Keywarden({ baseUrl: `http://127.0.0.1:${apiPort}`, apiKey: bootstrap.secret });
  const app = await sdk.apps.create({ name: 'bench-app', scopeCatalog: [SCOPE] });
  const appKey = await sdk.keys.create({ appId: app.id, name: 'bench-key', environment: 'live', scopes: [SCOPE] });
  log(`app ${app.id} and key ${appKey.id} created with the SDK`);
  // Every policy kind on one key: its own limits and checks, and a customer's shared ones.
  const customer = await sdk.customers.create({ externalId: `bench-${Date.now()}`, policy: CUSTOMER_POLICY });
  const policyKey = await sdk.keys.create({
    appId: app.id, name: 'bench-key-policies', environment: 'live', scopes: [SCOPE], policy: APP_KEY_POLICY, customerId: customer.id,
  });
  const leaseKey = await sdk.keys.create({
    appId: app.id, name: 'bench-key-policies-lease', environment: 'live', scopes: [SCOPE],
    policy: { ...APP_KEY_POLICY, concurrency: LEASE_CONCURRENCY }, customerId: customer.id,
  });
  log(`keys with every policy kind: ${policyKey.id}, and with a concurrency lease as well: ${leaseKey.id}`);

  // Identical request bytes for both servers (only the path differs).
  const request = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrap.secret}` },
    body: JSON.stringify({ key: appKey.secret, scope: SCOPE }),
  };

  specs.bare.ready = async (port) => (await postOnce(`http://127.0.0.1:${port}/verify`, request)).status === 200;
  log(`starting the bare Fastify server on :${barePort}`);
  const bare = await startServer({ ...specs.bare, ...monitored, port: barePort });

  const apiUrl = `http://127.0.0.1:${apiPort}${specs.keywarden.path}`;
  const withPolicies = (secret) => ({ ...request, body: JSON.stringify({ key: secret, scope: SCOPE, ...POLICY_VERIFY_FIELDS }) });
  const targets = {
    bare: { name: 'bare-fastify', server: bare, url: `http://127.0.0.1:${barePort}${specs.bare.path}`, request },
    bareAnswer: { name: "bare-fastify, keywarden's answer", server: bare, url: `http://127.0.0.1:${barePort}/verify-keywarden-answer`, request },
    keywarden: { name: 'keywarden', server: api, url: apiUrl, request },
    policies: { name: 'keywarden, every policy', server: api, url: apiUrl, request: withPolicies(policyKey.secret) },
    lease: { name: 'keywarden, every policy + lease', server: api, url: apiUrl, request: withPolicies(leaseKey.secret) },
  };

  // One request each, to fail early with a readable answer.
  for (const target of Object.values(targets)) {
    const { status, text } = await postOnce(target.url, target.request);
    let valid = false;
    try {
      valid = JSON.parse(text).valid === true;
    } catch {}
    if (status !== 200 || !valid) throw fail(`${target.name}: sanity request got ${status} ${text.slice(0, 300)}`);
    log(`${target.name}: sanity request OK (${text.length} bytes: ${text.slice(0, 160)})`);
  }

  if (settings.halfLoadRate) {
    const halfLoad = {
      bare: await measureHalfLoad(targets.bare, settings.halfLoadRate, settings),
      keywarden: await measureHalfLoad(targets.keywarden, settings.halfLoadRate, settings),
    };
    await stopServer(bare);
    await stopServer(api);
    const m = machine();
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(HALF_LOAD_RESULTS_FILE, `${JSON.stringify({
      benchmark: 'verify, half load only', timestamp: new Date().toISOString(), machine: m,
      settings: { rate: settings.halfLoadRate, connections: settings.connections, durationSec: settings.duration, warmupSec: settings.warmup, serverNodeArgs: settings.serverNodeArgs },
      halfLoad,
    }, null, 2)}\n`);
    process.stdout.write(`\n${formatHalfLoad(settings.halfLoadRate, halfLoad)}\n` +
      `load average at the end: ${m.loadAverage.map((n) => n.toFixed(2)).join(', ')}\nresults: ${relative(ROOT, HALF_LOAD_RESULTS_FILE)}\n`);
    return;
  }

  const runs = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of [targets.bare, targets.bareAnswer, targets.keywarden, targets.policies, targets.lease]) {
      let run;
      for (let attempt = 1; ; attempt++) {
        await waitForQuietMachine(settings);
        log(`round ${round}/${settings.rounds}: ${target.name} (${settings.warmup} s warm-up, ${settings.duration} s measured)` +
          (attempt > 1 ? `, attempt ${attempt}` : ''));
        run = await measure(target, settings, `round ${round}`);
        run.attempt = attempt;
        if (!run.noisy || run.problems.length > 0 || attempt >= settings.noisyAttempts) break;
        log(`  ${fmt.int(run.reqPerSecMean)} req/s, but other processes used ${fmt.pct(run.otherCpuPercent)} CPU meanwhile: measuring again`);
      }
      runs.push(run);
      if (run.problems.length > 0) {
        const banner = '!'.repeat(78);
        process.stderr.write(
          `\n${banner}\n!! ${target.name}, round ${round}: NOT every response was 200 with "valid": true\n` +
            run.problems.map((p) => `!!   - ${p}`).join('\n') +
            (run.firstBadBody ? `\n!!   first bad body: ${run.firstBadBody}` : '') +
            `\n!!   status codes: ${JSON.stringify(run.statusCodes)}\n${banner}\n\n`,
        );
        throw fail(`${target.name} answered incorrectly under load (see above); the numbers are not valid`);
      }
      log(`  ${fmt.int(run.reqPerSecMean)} req/s, p50 ${fmt.ms(run.latencyMs.p50)}, p99 ${fmt.ms(run.latencyMs.p99)}, ` +
        `CPU: server ${fmt.pct(run.serverCpuPercent)}, load generator ${fmt.pct(run.clientCpuPercent)}, ` +
        `everything else ${fmt.pct(run.otherCpuPercent)}`);
      if (run.noisy) log(`  warning: ${fmt.pct(run.otherCpuPercent)} CPU used by other processes during this run; its numbers are suspect`);
      await sleep(500);
    }
  }

  const summary = {
    bare: summarise(runs, 'bare-fastify'),
    bareAnswer: summarise(runs, targets.bareAnswer.name),
    keywarden: summarise(runs, 'keywarden'),
    policies: summarise(runs, targets.policies.name),
    lease: summarise(runs, targets.lease.name),
  };
  const ratio = summary.keywarden.reqPerSecMedian / summary.bare.reqPerSecMedian;
  const policyRatios = {
    policies: summary.policies.reqPerSecMedian / summary.bare.reqPerSecMedian,
    lease: summary.lease.reqPerSecMedian / summary.bare.reqPerSecMedian,
  };

  // Latency at half of Keywarden's saturated rate: a fixed request rate, not a flood.
  const halfRate = Math.max(1, Math.round(summary.keywarden.reqPerSecMedian / 2));
  const halfLoad = {
    bare: await measureHalfLoad(targets.bare, halfRate, settings),
    keywarden: await measureHalfLoad(targets.keywarden, halfRate, settings),
  };
  const halfLoadMeetsGoal = halfLoad.keywarden.latencyMs.p50 <= GOAL_HALF_LOAD_P50_MS && halfLoad.keywarden.latencyMs.p99 <= GOAL_HALF_LOAD_P99_MS;

  // Scale-out: a second API process on the same machine, both loaded at once.
  const secondPort = await freePort();
  log(`starting a second Keywarden API on :${secondPort} for the two-process run`);
  const api2 = await startServer({ ...specs.keywarden, nodeArgs: settings.serverNodeArgs, name: 'keywarden #2', port: secondPort });
  const secondUrl = `http://127.0.0.1:${secondPort}${specs.keywarden.path}`;
  await waitForQuietMachine(settings);
  const perProcess = Math.max(1, Math.round(settings.connections / 2));
  log(`two processes: ${perProcess} connections each (${settings.warmup} s warm-up, ${settings.duration} s measured)`);
  await Promise.all([apiUrl, secondUrl].map((url) => load({ url, request, connections: perProcess, duration: settings.warmup })));
  const cpuBefore = [cpuSecondsOf(api.child.pid), cpuSecondsOf(api2.child.pid)];
  const pair = await Promise.all([apiUrl, secondUrl].map((url) => load({ url, request, connections: perProcess, duration: settings.duration })));
  const cpuAfter = [cpuSecondsOf(api.child.pid), cpuSecondsOf(api2.child.pid)];
  for (const { result } of pair) {
    const problems = problemsOf(result);
    if (problems.length > 0) throw fail(`two-process run answered incorrectly: ${problems.join('; ')}`);
  }
  const pairTotal = pair.reduce((sum, { result }) => sum + result.requests.total, 0);
  const pairSeconds = Math.max(...pair.map(({ result }) => result.duration));
  const twoProcesses = {
    connectionsEach: perProcess,
    reqPerSec: pair.map(({ result }) => result.requests.mean),
    reqPerSecTotal: pair.reduce((sum, { result }) => sum + result.requests.mean, 0),
    latencyMs: pair.map(({ result }) => ({ p50: result.latency.p50, p99: result.latency.p99 })),
    serverCpuMicrosPerRequest: cpuBefore.includes(null) || cpuAfter.includes(null)
      ? null
      : (1e6 * (cpuAfter[0] - cpuBefore[0] + cpuAfter[1] - cpuBefore[1])) / pairTotal,
    durationSec: pairSeconds,
  };
  twoProcesses.vsOneProcess = twoProcesses.reqPerSecTotal / summary.keywarden.reqPerSecMedian;
  log(`  ${fmt.int(twoProcesses.reqPerSecTotal)} req/s in all (${twoProcesses.reqPerSec.map(fmt.int).join(' + ')}): ` +
    `${fmt.ratio(twoProcesses.vsOneProcess)} of one process`);
  await stopServer(api2);
  const perRoundRatios = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const b = runs.find((r) => r.server === 'bare-fastify' && r.phase === `round ${round}`);
    const k = runs.find((r) => r.server === 'keywarden' && r.phase === `round ${round}`);
    perRoundRatios.push(k.reqPerSecMean / b.reqPerSecMean);
  }
  const meetsGoal = ratio >= GOAL_RATIO;

  await stopServer(bare);
  await stopServer(api);

  let profile = null;
  if (settings.profile) {
    const bareProfile = await profileServer(specs.bare, { request, settings });
    const kwProfile = await profileServer(
      { ...specs.keywarden, key: profileTarget, name: targets[profileTarget].name },
      { request: targets[profileTarget].request, settings },
    );
    profile = { bare: bareProfile, keywarden: kwProfile, perRequest: perRequestDiff(kwProfile, bareProfile) };
  }

  const m = machine();
  const versions = {
    node: process.version,
    autocannon: packageVersion('autocannon'),
    fastifyBare: packageVersion('fastify'),
    fastifyApi: apiFastifyVersion(),
  };
  const output = {
    benchmark: 'verify',
    description: 'POST /v1/keys/verify (Keywarden API, LOG_LEVEL=info) vs POST /verify on a bare Fastify server',
    timestamp: new Date().toISOString(),
    machine: m,
    versions,
    settings: {
      connections: settings.connections,
      durationSec: settings.duration,
      warmupSec: settings.warmup,
      rounds: settings.rounds,
      serverNodeArgs: settings.serverNodeArgs,
      order: "bare, bare with keywarden's answer, keywarden, every policy, every policy + lease, per round",
      requestBodyBytes: Buffer.byteLength(request.body),
      apiLog: settings.apiLog ?? '/dev/null',
      database: redactUrl(services.databaseUrl),
      freshDatabase: services.freshDatabase,
    },
    goal: {
      metric: 'req/s keywarden ÷ req/s bare', atLeast: GOAL_RATIO, everyPolicyAtLeast: GOAL_POLICY_RATIO,
      halfLoad: { p50MsAtMost: GOAL_HALF_LOAD_P50_MS, p99MsAtMost: GOAL_HALF_LOAD_P99_MS },
    },
    ratio,
    policyRatios,
    halfLoad,
    halfLoadMeetsGoal,
    twoProcesses,
    loadAverage: m.loadAverage,
    perRoundRatios,
    meetsGoal,
    noisyRuns: runs.filter((r) => r.noisy).length,
    summary,
    runs,
    ...(profile ? { profile } : {}),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);

  // ---- report (stdout)
  const rows = [
    ...runs.map((r) => ({ ...r, label: `${r.server} (${r.phase})` })),
    ...['bare', 'bareAnswer', 'keywarden', 'policies', 'lease'].map((k) => ({
      label: `${summary[k].server} (median)`,
      reqPerSecMean: summary[k].reqPerSecMedian,
      latencyMs: { p50: summary[k].latencyP50MsMedian, p99: summary[k].latencyP99MsMedian },
      non2xx: summary[k].non2xx,
      errors: summary[k].errors,
      serverCpuPercent: summary[k].serverCpuPercent,
      serverCpuMicrosPerRequest: summary[k].serverCpuMicrosPerRequest,
      clientCpuPercent: summary[k].clientCpuPercent,
      otherCpuPercent: summary[k].otherCpuPercent,
    })),
  ];
  const out = [];
  out.push('');
  out.push(`verify benchmark — ${m.cpus} CPUs (${m.cpuModel}), ${m.node}, ${settings.connections} connections, ` +
    `${settings.duration} s per run after ${settings.warmup} s warm-up, body ${Buffer.byteLength(request.body)} bytes`);
  out.push('');
  out.push(table(rows, [
    { title: 'server', get: (r) => r.label, left: true },
    { title: 'req/s (mean)', get: (r) => fmt.int(r.reqPerSecMean) },
    { title: 'p50', get: (r) => fmt.ms(r.latencyMs.p50) },
    { title: 'p99', get: (r) => fmt.ms(r.latencyMs.p99) },
    { title: 'non-2xx', get: (r) => fmt.int(r.non2xx) },
    { title: 'errors', get: (r) => fmt.int(r.errors) },
    { title: 'server CPU', get: (r) => fmt.pct(r.serverCpuPercent) },
    { title: 'CPU µs/req', get: (r) => fmt.int(r.serverCpuMicrosPerRequest) },
    { title: 'client CPU', get: (r) => fmt.pct(r.clientCpuPercent) },
    { title: 'other CPU', get: (r) => `${fmt.pct(r.otherCpuPercent)}${r.noisy ? ' (!)' : ''}` },
  ]));
  out.push('');
  out.push(`ratio keywarden/bare (req/s, medians): ${fmt.ratio(ratio)}  (per round: ${perRoundRatios.map(fmt.ratio).join(', ')})`);
  out.push(meetsGoal
    ? `goal ≥ ${fmt.ratio(GOAL_RATIO)}: met`
    : `goal ≥ ${fmt.ratio(GOAL_RATIO)}: below goal (${fmt.ratio(ratio)})`);
  for (const [k, label] of [['policies', 'every policy kind'], ['lease', 'every policy kind + concurrency lease']]) {
    out.push(`ratio ${label}/bare: ${fmt.ratio(policyRatios[k])} (goal ≥ ${fmt.ratio(GOAL_POLICY_RATIO)}: ${policyRatios[k] >= GOAL_POLICY_RATIO ? 'met' : 'below goal'})`);
  }
  out.push(`the answer itself: bare Fastify sending keywarden's answer (fields, id lengths, 6 extra headers) ` +
    `${fmt.int(summary.bareAnswer.serverCpuMicrosPerRequest)} CPU µs/req vs ${fmt.int(summary.bare.serverCpuMicrosPerRequest)}; ` +
    `keywarden/that: ${fmt.ratio(summary.keywarden.reqPerSecMedian / summary.bareAnswer.reqPerSecMedian)} (information; the goal is against bare)`);
  const userMicrosOf = (s) => (s.serverSystemMicrosPerRequest === null ? null : s.serverCpuMicrosPerRequest - s.serverSystemMicrosPerRequest);
  out.push(`where the CPU goes: ${['bare', 'keywarden', 'policies']
    .map((k) => `${summary[k].server} ${fmt.int(summary[k].serverSystemMicrosPerRequest)} µs/req in the kernel, ${fmt.int(userMicrosOf(summary[k]))} in user space`)
    .join('; ')} (system and user time of all the server's threads)`);
  out.push(formatHalfLoad(halfRate, halfLoad));
  out.push(`two API processes: ${fmt.int(twoProcesses.reqPerSecTotal)} req/s in all vs ${fmt.int(summary.keywarden.reqPerSecMedian)} for one ` +
    `(${fmt.ratio(twoProcesses.vsOneProcess)}), ${fmt.int(twoProcesses.serverCpuMicrosPerRequest)} CPU µs/req`);
  out.push(`load average at the end: ${m.loadAverage.map((n) => n.toFixed(2)).join(', ')}`);
  const noisyRuns = runs.filter((r) => r.noisy).length;
  if (noisyRuns > 0) {
    out.push(`warning: ${noisyRuns} of ${runs.length} runs shared the CPUs with other work (other CPU > ${NOISY_OTHER_CPU_PERCENT}%, marked (!)); rerun on a quiet machine`);
  }
  out.push(`results: ${relative(ROOT, RESULTS_FILE)}`);
  if (versions.fastifyBare !== versions.fastifyApi) {
    out.push(`warning: the baseline runs fastify ${versions.fastifyBare}, the API fastify ${versions.fastifyApi}`);
  }
  if (profile) out.push(formatProfiles(profile));
  out.push('');
  process.stdout.write(out.join('\n'));
}

runBenchmark(main);
