#!/usr/bin/env node
// Verify benchmark: POST /v1/keys/verify on the Keywarden API against a bare Fastify
// server answering a fixed JSON, both measured in the same run with the same load.
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
//   DATABASE_URL, REDIS_URL  use these servers/databases as they are; when unset, the
//                         local ones are started (infra/services.sh start) and a fresh
//                         database `keywarden_bench` is created (dropped first)
//   KW_PEPPER             pepper for the API (default: random per run)
//   BENCH_API_LOG_LEVEL   LOG_LEVEL of the API (default info, production-like; for experiments)
//   BENCH_API_MAIN=FILE   run this main.js as the API instead of apps/api/dist/main.js
//                         (migrations and bootstrap still use apps/api/dist/cli.js)
//
// Exit code: 0 when the benchmark ran and every response was correct (a ratio below the
// goal is reported, not an error); 1 on any failure, including a single non-200 or
// `valid:false` answer; 2 on bad settings.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Keywarden } from '@keywarden/sdk';
import { summariseProfile, formatSummary } from './cpu-profile-summary.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCH_DIR = resolve(HERE, '..');
const ROOT = resolve(BENCH_DIR, '..');
// BENCH_API_MAIN: benchmark another build of the API (e.g. an experiment) instead of apps/api/dist.
const API_MAIN = process.env.BENCH_API_MAIN ? resolve(process.env.BENCH_API_MAIN) : join(ROOT, 'apps/api/dist/main.js');
const API_CLI = join(ROOT, 'apps/api/dist/cli.js');
const BARE_SERVER = join(HERE, 'bare-fastify.mjs');
const PROFILE_PRELOAD = join(HERE, 'cpu-profile-preload.cjs');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const RESULTS_FILE = join(RESULTS_DIR, 'verify-latest.json');
const BENCH_DATABASE = 'keywarden_bench';
const GOAL_RATIO = 0.6;
const SCOPE = 'orders.read';

// ---------------------------------------------------------------- settings

class UsageError extends Error {}

function intFromEnv(name, fallback, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function readSettings() {
  return {
    duration: intFromEnv('BENCH_DURATION', 10, { max: 3600 }),
    connections: intFromEnv('BENCH_CONNECTIONS', 50, { max: 10_000 }),
    warmup: intFromEnv('BENCH_WARMUP', 3, { min: 0, max: 600 }),
    rounds: intFromEnv('BENCH_ROUNDS', 2, { max: 20 }),
    apiLog: process.env.BENCH_API_LOG || null,
    quietWait: intFromEnv('BENCH_QUIET_WAIT', 120, { min: 0, max: 3600 }),
    noisyAttempts: intFromEnv('BENCH_NOISY_ATTEMPTS', 3, { min: 1, max: 10 }),
    profile: process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'true',
  };
}

// ---------------------------------------------------------------- small helpers

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function fail(message) {
  const error = new Error(message);
  error.benchFailure = true;
  return error;
}

function redactUrl(url) {
  return url.replace(/(:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function runSync(command, args, { env, what, capture = true }) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw fail(`${what}: ${result.error.message}`);
  if (result.status !== 0) {
    throw fail(`${what} failed (exit ${result.status ?? result.signal}):\n${(result.stderr || '').trim()}`);
  }
  return result.stdout ?? '';
}

/** Last `size` characters of a stream, for error messages. */
function tail(stream, size = 32 * 1024) {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk) => {
    text = (text + chunk).slice(-size);
  });
  return () => text;
}

// ---------------------------------------------------------------- services & data

/** DATABASE_URL / REDIS_URL from the environment, or the local services with a fresh bench database. */
function prepareServices() {
  const fromEnv = { database: process.env.DATABASE_URL, redis: process.env.REDIS_URL };
  if (fromEnv.database && fromEnv.redis) {
    log(`using DATABASE_URL=${redactUrl(fromEnv.database)} and REDIS_URL=${redactUrl(fromEnv.redis)} from the environment`);
    return { databaseUrl: fromEnv.database, redisUrl: fromEnv.redis, freshDatabase: false };
  }
  log('starting/reusing local services (bash infra/services.sh start)');
  runSync('bash', ['infra/services.sh', 'start'], { env: process.env, what: 'infra/services.sh start', capture: false });
  const [localDatabase, localRedis] = runSync(
    'bash',
    ['-c', 'source infra/lib.sh && printf "%s\\n%s\\n" "$KW_LOCAL_DATABASE_URL" "$KW_LOCAL_REDIS_URL"'],
    { env: process.env, what: 'reading infra/lib.sh defaults' },
  )
    .trim()
    .split('\n');
  let databaseUrl = fromEnv.database;
  let freshDatabase = false;
  if (!databaseUrl) {
    runSync('bash', ['-c', `source infra/lib.sh && recreate_database ${BENCH_DATABASE}`], {
      env: { ...process.env, DATABASE_URL: localDatabase },
      what: `recreating database ${BENCH_DATABASE}`,
      capture: false,
    });
    const url = new URL(localDatabase);
    url.pathname = `/${BENCH_DATABASE}`;
    databaseUrl = url.toString();
    freshDatabase = true;
  }
  return { databaseUrl, redisUrl: fromEnv.redis || localRedis, freshDatabase };
}

/**
 * The benchmark's own queue namespace: a bench next to a running deployment (or another
 * bench) on the same Redis never consumes or feeds that deployment's queues.
 */
const BENCH_QUEUE_PREFIX = `kwbench-${process.pid}-${Date.now().toString(36)}`;

function apiEnv(services, extra = {}) {
  return {
    ...process.env,
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    KW_PEPPER: services.pepper,
    KW_QUEUE_PREFIX: BENCH_QUEUE_PREFIX,
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL || 'info',
    ...extra,
  };
}

// ---------------------------------------------------------------- child servers

const children = new Set();

/**
 * Starts a server as a child process and waits until `ready()` says yes. Both servers go
 * through here: same node binary, same flags, same environment shape.
 */
async function startServer({ name, script, port, env, stdoutFile = null, nodeArgs = [], ipc = false, ready }) {
  const stdout = stdoutFile ? openSync(stdoutFile, 'a') : 'ignore';
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', stdout, 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  const stderr = tail(child.stderr);
  const server = { name, child, port, stderr, exited: false, exitCode: null };
  children.add(server);
  child.on('exit', (code, signal) => {
    server.exited = true;
    server.exitCode = code ?? signal;
    children.delete(server);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exited) throw fail(`${name} exited during startup (${server.exitCode}):\n${stderr().trim()}`);
    if (await ready(port).catch(() => false)) return server;
    if (Date.now() > deadline) {
      await stopServer(server);
      throw fail(`${name} did not become ready within 60 s:\n${stderr().trim()}`);
    }
    await sleep(200);
  }
}

async function stopServer(server, timeoutMs = 10_000) {
  if (server.exited) return;
  const exited = new Promise((resolveExit) => server.child.once('exit', resolveExit));
  server.child.kill('SIGTERM');
  const timer = sleep(timeoutMs).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    log(`${server.name} did not stop within ${timeoutMs} ms; SIGKILL`);
    server.child.kill('SIGKILL');
    await exited;
  }
}

function killChildrenNow() {
  for (const server of children) server.child.kill('SIGKILL');
}

// ---------------------------------------------------------------- per-process CPU (Linux)

const CLOCK_TICKS = 100; // USER_HZ; 100 on every Linux we care about

/** CPU seconds (user + system) used so far by `pid`, or null when /proc is not there. */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores), or null without /proc/stat. */
function machineBusySeconds() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + (steal || 0)) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU used by everything but the server under test and this process (the load generator). */
const NOISY_OTHER_CPU_PERCENT = 25;

/**
 * Another job hogging the CPUs (a build, a test run) ruins a benchmark: before each run,
 * wait up to BENCH_QUIET_WAIT seconds for the machine to be mostly idle (our servers are
 * idle between runs), then go ahead anyway; `noisy` in the results tells.
 */
async function waitForQuietMachine(settings) {
  const started = Date.now();
  let warned = false;
  for (;;) {
    const before = machineBusySeconds();
    if (before === null) return;
    await sleep(1000);
    const busyPercent = 100 * (machineBusySeconds() - before);
    if (busyPercent <= NOISY_OTHER_CPU_PERCENT) return;
    if (Date.now() - started >= settings.quietWait * 1000) {
      log(`warning: the machine is still ${fmt.pct(busyPercent)} busy with other work; measuring anyway`);
      return;
    }
    if (!warned) {
      log(`the machine is ${fmt.pct(busyPercent)} busy with other work; waiting up to ${settings.quietWait} s for it to calm down`);
      warned = true;
    }
  }
}

// ---------------------------------------------------------------- load

/**
 * One autocannon run. Every response body goes through the same check for both
 * servers (`valid === true`), so the client does the same work against each.
 */
async function load({ url, request, connections, duration }) {
  let firstMismatch = null;
  const verifyBody = (body) => {
    let ok = false;
    try {
      ok = JSON.parse(body).valid === true;
    } catch {
      ok = false;
    }
    if (!ok && firstMismatch === null) firstMismatch = String(body).slice(0, 300);
    return ok;
  };
  const result = await autocannon({
    url,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    verifyBody,
  });
  return { result, firstMismatch };
}

function problemsOf(result) {
  const problems = [];
  if (!(result.requests.total > 0)) problems.push('no responses at all');
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx responses`);
  if (result.errors > 0) problems.push(`${result.errors} errors (of which ${result.timeouts} timeouts)`);
  if (result.mismatches > 0) problems.push(`${result.mismatches} responses without "valid": true`);
  const otherStatuses = Object.keys(result.statusCodeStats ?? {}).filter((code) => code !== '200');
  if (otherStatuses.length > 0) {
    problems.push(`status codes other than 200: ${otherStatuses.map((c) => `${c}×${result.statusCodeStats[c].count}`).join(', ')}`);
  }
  if (result.resets > 0) problems.push(`${result.resets} connection resets`);
  return problems;
}

async function measure(target, settings, phase) {
  const { url, request } = target;
  if (settings.warmup > 0) {
    const warm = await load({ url, request, connections: settings.connections, duration: settings.warmup });
    const warmProblems = problemsOf(warm.result);
    if (warmProblems.length > 0) {
      throw fail(`${target.name} failed during warm-up (${phase}): ${warmProblems.join('; ')}` +
        (warm.firstMismatch ? `\n  first bad body: ${warm.firstMismatch}` : ''));
    }
  }
  const cpuBefore = cpuSecondsOf(target.server.child.pid);
  const machineBefore = machineBusySeconds();
  const clientBefore = process.cpuUsage();
  const { result, firstMismatch } = await load({ url, request, connections: settings.connections, duration: settings.duration });
  const clientCpu = process.cpuUsage(clientBefore);
  const cpuAfter = cpuSecondsOf(target.server.child.pid);
  const machineAfter = machineBusySeconds();
  const problems = problemsOf(result);
  const serverCpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
  const otherCpuPercent =
    serverCpuSeconds === null || machineBefore === null || machineAfter === null
      ? null
      : (100 * Math.max(0, machineAfter - machineBefore - serverCpuSeconds - clientCpuSeconds)) / result.duration;
  const run = {
    server: target.name,
    phase,
    reqPerSecMean: result.requests.mean,
    reqPerSecStddev: result.requests.stddev,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    totalResponses: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    resets: result.resets,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
    bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : null,
    durationSec: result.duration,
    serverCpuPercent: serverCpuSeconds === null ? null : (100 * serverCpuSeconds) / result.duration,
    serverCpuMicrosPerRequest:
      serverCpuSeconds === null || result.requests.total === 0 ? null : (1e6 * serverCpuSeconds) / result.requests.total,
    clientCpuPercent: (100 * clientCpuSeconds) / result.duration,
    // Postgres/Redis, kernel networking outside process accounting, and anything else
    // running on the machine: a high value means the numbers are not trustworthy.
    otherCpuPercent,
    noisy: otherCpuPercent !== null && otherCpuPercent > NOISY_OTHER_CPU_PERCENT,
    problems,
    firstBadBody: firstMismatch,
  };
  return run;
}

// ---------------------------------------------------------------- reporting

const fmt = {
  int: (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US')),
  ms: (n) => (n === null || n === undefined ? '-' : `${Number(n).toFixed(n < 10 ? 2 : 1)} ms`),
  pct: (n) => (n === null || n === undefined ? '-' : `${Math.round(n)}%`),
  ratio: (n) => `${n.toFixed(2)}×`,
};

function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => String(c.get(r)).length)));
  const line = (cells) => cells.map((cell, i) => (columns[i].left ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => c.get(r))))].join('\n');
}

function mean(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

function summarise(runs, name) {
  const mine = runs.filter((r) => r.server === name);
  return {
    server: name,
    runs: mine.length,
    reqPerSecMedian: median(mine.map((r) => r.reqPerSecMean)),
    reqPerSecPerRun: mine.map((r) => r.reqPerSecMean),
    latencyP50MsMedian: median(mine.map((r) => r.latencyMs.p50)),
    latencyP99MsMedian: median(mine.map((r) => r.latencyMs.p99)),
    non2xx: mine.reduce((a, r) => a + r.non2xx, 0),
    errors: mine.reduce((a, r) => a + r.errors, 0),
    serverCpuPercent: mean(mine.map((r) => r.serverCpuPercent)),
    serverCpuMicrosPerRequest: mean(mine.map((r) => r.serverCpuMicrosPerRequest)),
    clientCpuPercent: mean(mine.map((r) => r.clientCpuPercent)),
    otherCpuPercent: mean(mine.map((r) => r.otherCpuPercent)),
    bytesPerResponse: mine[0]?.bytesPerResponse ?? null,
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

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

async function postOnce(url, request) {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  return { status: response.status, text };
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
    const waitFor = (type) =>
      new Promise((resolveMessage, reject) => {
        const onMessage = (message) => {
          if (message?.type === type) {
            server.child.off('message', onMessage);
            resolveMessage(message);
          } else if (message?.type === 'cpu-profile-error') {
            server.child.off('message', onMessage);
            reject(fail(`profiler in ${spec.name}: ${message.message}`));
          }
        };
        server.child.on('message', onMessage);
      });
    const started = waitFor('cpu-profile-started');
    server.child.send({ type: 'cpu-profile-start' });
    await started;
    const { result } = await load({ url, request, connections: settings.connections, duration: settings.duration });
    const written = waitFor('cpu-profile-written');
    server.child.send({ type: 'cpu-profile-stop', file });
    await written;
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
  const settings = readSettings();
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
      env: apiEnv(services),
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
  const api = await startServer({ ...specs.keywarden, port: apiPort });

  const sdk = new Keywarden({ baseUrl: `http://127.0.0.1:${apiPort}`, apiKey: bootstrap.secret });
  const app = await sdk.apps.create({ name: 'bench-app', scopeCatalog: [SCOPE] });
  const appKey = await sdk.keys.create({ appId: app.id, name: 'bench-key', environment: 'live', scopes: [SCOPE] });
  log(`app ${app.id} and key ${appKey.id} created with the SDK`);

  // Identical request bytes for both servers (only the path differs).
  const request = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bootstrap.secret}` },
    body: JSON.stringify({ key: appKey.secret, scope: SCOPE }),
  };

  specs.bare.ready = async (port) => (await postOnce(`http://127.0.0.1:${port}/verify`, request)).status === 200;
  log(`starting the bare Fastify server on :${barePort}`);
  const bare = await startServer({ ...specs.bare, port: barePort });

  const targets = {
    bare: { name: 'bare-fastify', server: bare, url: `http://127.0.0.1:${barePort}${specs.bare.path}`, request },
    keywarden: { name: 'keywarden', server: api, url: `http://127.0.0.1:${apiPort}${specs.keywarden.path}`, request },
  };

  // One request each, to fail early with a readable answer.
  for (const target of Object.values(targets)) {
    const { status, text } = await postOnce(target.url, request);
    let valid = false;
    try {
      valid = JSON.parse(text).valid === true;
    } catch {}
    if (status !== 200 || !valid) throw fail(`${target.name}: sanity request got ${status} ${text.slice(0, 300)}`);
    log(`${target.name}: sanity request OK (${text.length} bytes: ${text.slice(0, 160)})`);
  }

  const runs = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of [targets.bare, targets.keywarden]) {
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

  const summary = { bare: summarise(runs, 'bare-fastify'), keywarden: summarise(runs, 'keywarden') };
  const ratio = summary.keywarden.reqPerSecMedian / summary.bare.reqPerSecMedian;
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
    const kwProfile = await profileServer(specs.keywarden, { request, settings });
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
      order: 'bare, keywarden per round',
      requestBodyBytes: Buffer.byteLength(request.body),
      apiLog: settings.apiLog ?? '/dev/null',
      database: redactUrl(services.databaseUrl),
      freshDatabase: services.freshDatabase,
    },
    goal: { metric: 'req/s keywarden ÷ req/s bare', atLeast: GOAL_RATIO },
    ratio,
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
    ...['bare', 'keywarden'].map((k) => ({
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

// Importable: bench/pipeline/run.mjs reuses the helpers below; only a direct run benchmarks.
export {
  cpuSecondsOf,
  fail,
  fmt,
  freePort,
  killChildrenNow,
  log,
  measure,
  median,
  postOnce,
  prepareServices,
  apiEnv,
  runSync,
  startServer,
  stopServer,
  summarise,
  machine,
  table,
  readSettings,
  waitForQuietMachine,
  children,
  UsageError,
  ROOT,
  API_CLI,
  RESULTS_DIR,
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping the servers`);
      Promise.all([...children].map((s) => stopServer(s, 3_000))).finally(() => process.exit(130));
    });
  }
  process.on('exit', killChildrenNow);

  main().then(
    () => {
      process.exitCode = 0;
    },
    async (error) => {
      if (interrupted) return;
      if (error instanceof UsageError) {
        log(`ERROR: ${error.message}`);
        process.exitCode = 2;
      } else {
        log(`FAILED: ${error.benchFailure ? error.message : error.stack ?? error}`);
        process.exitCode = 1;
      }
      await Promise.all([...children].map((s) => stopServer(s, 3_000)));
    },
  );
}
