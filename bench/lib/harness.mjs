// The benchmarks' shared harness: settings from the environment, the services and the
// API's environment, child servers, per-process CPU accounting, the quiet-machine wait,
// load runs with autocannon, the reporting helpers, and runBenchmark (exit codes and
// clean-up). The benchmarks are the scripts beside it: verify/, pipeline/, policy/,
// webhooks/.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = resolve(HERE, '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const API_CLI = join(ROOT, 'apps/api/dist/cli.js');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
const BENCH_DATABASE = 'keywarden_bench';

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
 * A database of the benchmark's own (`name`) on the server of `serverUrl`, dropped and
 * created again: every run starts from nothing. Answers its URL.
 */
async function recreateDatabase(serverUrl, name) {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
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

/** Migrates the bench database and bootstraps a workspace named `${bench}-<time>`; answers the bootstrap JSON (with its owner key's `secret`). */
function migrateAndBootstrap(services, bench) {
  runSync(process.execPath, [API_CLI, 'migrate'], { env: apiEnv(services), what: 'migrate' });
  const out = runSync(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', `${bench}-${Date.now()}`], {
    env: apiEnv(services),
    what: 'bootstrap',
  });
  const bootstrap = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
  if (!bootstrap.secret) throw fail('bootstrap printed no secret');
  return bootstrap;
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

/**
 * CPU seconds used so far by `pid`, all its threads, split into user and system (kernel)
 * time, or null when /proc is not there. The kernel samples the split at each tick, so it
 * holds over seconds, not for one request.
 */
function cpuTimesOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS }; // utime, stime
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by `pid`, or null when /proc is not there. */
function cpuSecondsOf(pid) {
  const times = cpuTimesOf(pid);
  return times === null ? null : times.user + times.system;
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

/** The check every load run applies to a 200's body: JSON with `"valid": true`. */
function answersValid(body) {
  try {
    return JSON.parse(body).valid === true;
  } catch {
    return false;
  }
}

/**
 * One autocannon run (as fast as the server answers, or at `overallRate` requests per
 * second in all). Every response body goes through the same check for both
 * servers (`valid === true`), so the client does the same work against each.
 */
async function load({ url, request, connections, duration, overallRate }) {
  let firstMismatch = null;
  const verifyBody = (body) => {
    const ok = answersValid(body);
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
    // A fixed request rate (all connections together) instead of as fast as possible.
    ...(overallRate ? { overallRate } : {}),
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
  const cpuBefore = cpuTimesOf(target.server.child.pid);
  const machineBefore = machineBusySeconds();
  const clientBefore = process.cpuUsage();
  const { result, firstMismatch } = await load({ url, request, connections: settings.connections, duration: settings.duration });
  const clientCpu = process.cpuUsage(clientBefore);
  const cpuAfter = cpuTimesOf(target.server.child.pid);
  const machineAfter = machineBusySeconds();
  const problems = problemsOf(result);
  const serverSystemSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter.system - cpuBefore.system;
  const serverCpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter.user - cpuBefore.user + serverSystemSeconds;
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
    // The kernel's share of it (system time: sockets, scheduling). V8's profiler charges
    // whatever it samples inside a syscall to that call, including time spent off the CPU.
    serverSystemMicrosPerRequest:
      serverSystemSeconds === null || result.requests.total === 0 ? null : (1e6 * serverSystemSeconds) / result.requests.total,
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

// ---------------------------------------------------------------- metrics

/** A server's GET /metrics, read once: answers a metric's value summed over its label sets (0 when absent). */
async function scrapeMetrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return (name) => {
    let total = 0;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) total += Number(match[1]);
    return total;
  };
}

/** The usage pipeline's counters of an API process (events accepted, dropped, enqueued, spooled...). */
async function usageMetricsOf(port) {
  const value = await scrapeMetrics(port);
  return {
    accepted: value('kw_usage_events_accepted_total'),
    dropped: value('kw_usage_events_dropped_total'),
    enqueued: value('kw_usage_events_enqueued_total'),
    flushFailures: value('kw_usage_flush_failures_total'),
    batches: value('kw_usage_batch_events_count'),
    held: value('kw_usage_buffer_events'),
    spooled: value('kw_usage_events_spooled_total'),
    replayed: value('kw_usage_events_replayed_total'),
    spoolBytes: value('kw_usage_spool_bytes'),
  };
}

// ---------------------------------------------------------------- a private Redis

/**
 * A redis-server of the bench's own (from PATH, nothing persisted), on `port` or a free
 * one: nobody else's commands in its counters, and a bench may stop and restart it.
 */
async function startPrivateRedis(bench, port = null) {
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await redisCommand(port, 'PING');
      return { port, url: `redis://127.0.0.1:${port}`, child };
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new UsageError(`${bench} needs redis-server on PATH (it runs a private one)`);
}

/** One inline command over RESP; answers the raw reply text. */
function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('redis timeout')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      // A bulk reply ($len\r\n...\r\n) or a simple one (+/-/:...\r\n).
      const bulk = reply.match(/^\$(\d+)\r\n/);
      if (!bulk ? reply.endsWith('\r\n') : Buffer.byteLength(reply) >= bulk[0].length + Number(bulk[1]) + 2) {
        socket.end();
        resolve(reply);
      }
    });
    socket.write(`${command}\r\n`);
  });
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

/** Nearest-rank percentile (p in 0–100) of unsorted values. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
    serverSystemMicrosPerRequest: mean(mine.map((r) => r.serverSystemMicrosPerRequest)),
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
    // 1, 5 and 15 minutes: how busy the shared machine was around the run.
    loadAverage: os.loadavg(),
  };
}

async function postOnce(url, request) {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  return { status: response.status, text };
}

/**
 * Runs a benchmark's main: exit code 0 when it ran, 2 on bad settings (UsageError), 1 on
 * any failure; the child servers are stopped on every way out, signals included.
 */
function runBenchmark(main) {
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

export {
  answersValid,
  apiEnv,
  children,
  cpuSecondsOf,
  fail,
  fmt,
  freePort,
  intFromEnv,
  killChildrenNow,
  load,
  log,
  machine,
  machineBusySeconds,
  mean,
  measure,
  median,
  migrateAndBootstrap,
  NOISY_OTHER_CPU_PERCENT,
  percentile,
  postOnce,
  prepareServices,
  problemsOf,
  readSettings,
  recreateDatabase,
  redactUrl,
  redisCommand,
  runBenchmark,
  runSync,
  scrapeMetrics,
  startPrivateRedis,
  startServer,
  stopServer,
  summarise,
  table,
  usageMetricsOf,
  UsageError,
  waitForQuietMachine,
};
