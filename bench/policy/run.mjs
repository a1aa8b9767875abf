#!/usr/bin/env node
// Key-policy benchmark: POST /v1/keys/verify for a key with every policy on (rate limits
// in all four windows, IP allowlist, allowed models, daily spend cap with a cost on each
// verify, rotation period; the calling admin key with its own rate limit and IP
// allowlist) vs a key and an admin key with no policy at all, on the same API process in
// the same run. A third target adds a concurrency limit (one Redis round trip per verify
// for the lease), reported on its own. A fourth is the policed key held by a customer whose
// shared policy sets rate limits in all four windows and a daily spend cap: customer vs
// the same key without a customer (goal ≥ 0.90 ×, ≤ 0.05 Redis commands per verify).
//
//   pnpm bench:policy            (needs `pnpm build` first)
//
// Redis commands per verify are counted exactly: the API talks to a Redis server of its
// own (redis-server on PATH, started on a free port, stopped at the end), and the bench
// reads INFO's total_commands_processed before and after each measured run. Usage
// metering is off (KW_METERING=off) so that the count is the policies' alone.
// Same environment knobs as bench/verify/run.mjs (BENCH_DURATION, BENCH_CONNECTIONS,
// BENCH_WARMUP, BENCH_ROUNDS, BENCH_QUIET_WAIT, BENCH_NOISY_ATTEMPTS, DATABASE_URL,
// KW_PEPPER, BENCH_API_LOG). Goals: on ≥ 0.85 × off (req/s), ≤ 0.05 Redis commands per verify.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keywarden } from '@keywarden/sdk';
import { APP_KEY_POLICY, CUSTOMER_POLICY, LEASE_CONCURRENCY, LEASE_TTL_MS, MAX_LIMIT, POLICY_VERIFY_FIELDS } from '../lib/policies.mjs';
import {
  API_CLI,
  apiEnv,
  children,
  redisCommand,
  runBenchmark,
  startPrivateRedis,
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
  waitForQuietMachine,
} from '../lib/harness.mjs';

const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
const RESULTS_FILE = join(RESULTS_DIR, 'policy-latest.json');
const GOAL_RATIO = 0.85;
const GOAL_COMMANDS_PER_VERIFY = 0.05;
const GOAL_CUSTOMER_RATIO = 0.9;
const SCOPE = 'orders.read';
const ADMIN_KEY_POLICY = { rateLimits: { perMinute: MAX_LIMIT }, ipAllowlist: ['127.0.0.1/32', '::1/128'] };

async function commandsProcessed(port) {
  const info = await redisCommand(port, 'INFO stats');
  const match = info.match(/total_commands_processed:(\d+)/);
  if (!match) throw fail('INFO stats has no total_commands_processed');
  return Number(match[1]);
}

async function main() {
  const settings = readSettings();
  for (const file of [API_MAIN, API_CLI]) {
    if (!existsSync(file)) throw fail(`${relative(ROOT, file)} not found: build first (cd ${ROOT} && pnpm build)`);
  }
  const redis = await startPrivateRedis('bench:policy');
  process.on('exit', () => redis.child.kill('SIGKILL'));
  try {
    await run(settings, redis);
  } finally {
    redis.child.kill('SIGTERM');
  }
}

async function run(settings, redis) {
  // Only PostgreSQL comes from the environment (or the local services); Redis is the private one.
  const database = process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : prepareServices();
  const services = { databaseUrl: database.databaseUrl, redisUrl: redis.url };
  services.pepper = process.env.KW_PEPPER || randomBytes(48).toString('base64');
  log(`private redis-server on :${redis.port} for the API`);
  const bootstrap = migrateAndBootstrap(services, 'bench-policy');

  const ready = async (port) => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
  const port = await freePort();
  // No deployment default for admin keys: the "off" admin key has no policy at all.
  // Leases live 5 s, so the lease target's unreleased leases stay below its limit.
  const api = await startServer({
    name: 'api',
    script: API_MAIN,
    port,
    env: apiEnv(services, { KW_METERING: 'off', KW_ADMIN_RATE_LIMIT_PER_MINUTE: '0', KW_LEASE_TTL_MS: String(LEASE_TTL_MS) }),
    stdoutFile: settings.apiLog,
    ready,
  });

  const sdk = new Keywarden({ baseUrl: `http://127.0.0.1:${port}`, apiKey: bootstrap.secret });
  const app = await sdk.apps.create({ name: 'bench-app', scopeCatalog: [SCOPE] });
  const newKey = (name, policy) => sdk.keys.create({ appId: app.id, name, environment: 'live', scopes: [SCOPE], ...(policy ? { policy } : {}) });
  const plainKey = await newKey('no-policy');
  const policedKey = await newKey('all-policies', APP_KEY_POLICY);
  const leasedKey = await newKey('all-policies-and-concurrency', { ...APP_KEY_POLICY, concurrency: LEASE_CONCURRENCY });
  const customer = await sdk.customers.create({ externalId: `bench-${Date.now()}`, policy: CUSTOMER_POLICY });
  const customerKey = await sdk.keys.create({ appId: app.id, name: 'all-policies-and-customer', environment: 'live', scopes: [SCOPE], policy: APP_KEY_POLICY, customerId: customer.id });
  const plainAdmin = await sdk.adminKeys.create({ name: 'verifier', scopes: ['keys.verify'] });
  const policedAdmin = await sdk.adminKeys.create({ name: 'verifier-policed', scopes: ['keys.verify'], policy: ADMIN_KEY_POLICY });

  const request = (adminSecret, keySecret) => ({
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminSecret}` },
    body: JSON.stringify({ key: keySecret, scope: SCOPE, ...POLICY_VERIFY_FIELDS }),
  });
  const url = `http://127.0.0.1:${port}/v1/keys/verify`;
  const targets = [
    { name: 'policies-off', server: api, url, request: request(plainAdmin.secret, plainKey.secret) },
    { name: 'policies-on', server: api, url, request: request(policedAdmin.secret, policedKey.secret) },
    { name: 'policies-on+lease', server: api, url, request: request(policedAdmin.secret, leasedKey.secret) },
    { name: 'policies-on+customer', server: api, url, request: request(policedAdmin.secret, customerKey.secret) },
  ];
  for (const target of targets) {
    const { status, text } = await postOnce(target.url, target.request);
    if (status !== 200 || !text.includes('"valid":true')) throw fail(`${target.name}: sanity request got ${status} ${text.slice(0, 300)}`);
  }

  const runs = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of round % 2 ? targets : [...targets].reverse()) {
      let run;
      for (let attempt = 1; ; attempt++) {
        await waitForQuietMachine(settings);
        log(`round ${round}/${settings.rounds}: ${target.name}` + (attempt > 1 ? `, attempt ${attempt}` : ''));
        // Warm up apart, so that the command count covers the measured run only.
        if (settings.warmup > 0) await measure(target, { ...settings, duration: settings.warmup, warmup: 0 }, `round ${round} warm-up`);
        const before = await commandsProcessed(redis.port);
        run = await measure(target, { ...settings, warmup: 0 }, `round ${round}`);
        // The INFO call itself is one command.
        run.redisCommands = (await commandsProcessed(redis.port)) - before - 1;
        run.redisCommandsPerVerify = run.totalResponses > 0 ? run.redisCommands / run.totalResponses : null;
        if (!run.noisy || run.problems.length > 0 || attempt >= settings.noisyAttempts) break;
      }
      if (run.problems.length > 0) throw fail(`${target.name} answered incorrectly under load: ${run.problems.join('; ')}`);
      log(
        `  ${fmt.int(run.reqPerSecMean)} req/s, p50 ${fmt.ms(run.latencyMs.p50)}, p99 ${fmt.ms(run.latencyMs.p99)}, ` +
          `CPU ${fmt.pct(run.serverCpuPercent)}, ${run.redisCommandsPerVerify.toFixed(4)} Redis commands/verify`,
      );
      runs.push(run);
      await sleep(500);
    }
  }
  await stopServer(api);
  for (const server of [...children]) await stopServer(server);

  const withCommands = (name) => {
    const mine = runs.filter((r) => r.server === name);
    const commands = mine.reduce((sum, r) => sum + r.redisCommands, 0);
    const verifies = mine.reduce((sum, r) => sum + r.totalResponses, 0);
    return { ...summarise(runs, name), redisCommands: commands, verifies, redisCommandsPerVerify: commands / verifies };
  };
  const summary = {
    off: withCommands('policies-off'),
    on: withCommands('policies-on'),
    lease: withCommands('policies-on+lease'),
    customer: withCommands('policies-on+customer'),
  };
  const ratio = summary.on.reqPerSecMedian / summary.off.reqPerSecMedian;
  const leaseRatio = summary.lease.reqPerSecMedian / summary.off.reqPerSecMedian;
  const customerRatio = summary.customer.reqPerSecMedian / summary.on.reqPerSecMedian;
  const perVerify = summary.on.redisCommandsPerVerify;
  const customerPerVerify = summary.customer.redisCommandsPerVerify;

  const output = {
    benchmark: 'policy',
    description: 'POST /v1/keys/verify with every key policy on vs none, same API process; Redis commands per verify from a private redis-server',
    timestamp: new Date().toISOString(),
    machine: machine(),
    settings,
    policies: { appKey: APP_KEY_POLICY, adminKey: ADMIN_KEY_POLICY, leaseTarget: { concurrency: LEASE_CONCURRENCY, leaseTtlMs: LEASE_TTL_MS }, customer: CUSTOMER_POLICY },
    goal: {
      ratio: GOAL_RATIO,
      ratioMet: ratio >= GOAL_RATIO,
      redisCommandsPerVerify: GOAL_COMMANDS_PER_VERIFY,
      redisCommandsMet: perVerify <= GOAL_COMMANDS_PER_VERIFY,
      customerRatio: GOAL_CUSTOMER_RATIO,
      customerRatioMet: customerRatio >= GOAL_CUSTOMER_RATIO,
      customerRedisCommandsMet: customerPerVerify <= GOAL_COMMANDS_PER_VERIFY,
    },
    ratio,
    leaseRatio,
    customerRatio,
    summary,
    runs,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(
    `\n${table([summary.off, summary.on, summary.lease, summary.customer], [
      { title: 'target', get: (r) => r.server, left: true },
      { title: 'req/s (median)', get: (r) => fmt.int(r.reqPerSecMedian) },
      { title: 'p50', get: (r) => fmt.ms(r.latencyP50MsMedian) },
      { title: 'p99', get: (r) => fmt.ms(r.latencyP99MsMedian) },
      { title: 'µs CPU/req', get: (r) => fmt.int(r.serverCpuMicrosPerRequest) },
      { title: 'Redis cmds/verify', get: (r) => r.redisCommandsPerVerify.toFixed(4) },
    ])}\n\n` +
      `on / off = ${fmt.ratio(ratio)} (goal ≥ ${fmt.ratio(GOAL_RATIO)}: ${ratio >= GOAL_RATIO ? 'met' : 'below goal'})\n` +
      `Redis commands per verify, policies on: ${perVerify.toFixed(4)} (goal ≤ ${GOAL_COMMANDS_PER_VERIFY}: ` +
      `${perVerify <= GOAL_COMMANDS_PER_VERIFY ? 'met' : 'above goal'})\n` +
      `with a concurrency lease: ${fmt.ratio(leaseRatio)} of off, ${summary.lease.redisCommandsPerVerify.toFixed(3)} Redis commands per verify\n` +
      `held by a customer with a shared policy: ${fmt.ratio(customerRatio)} of the same key without one (goal ≥ ${fmt.ratio(GOAL_CUSTOMER_RATIO)}: ` +
      `${customerRatio >= GOAL_CUSTOMER_RATIO ? 'met' : 'below goal'}), ${customerPerVerify.toFixed(4)} Redis commands per verify (goal ≤ ${GOAL_COMMANDS_PER_VERIFY}: ` +
      `${customerPerVerify <= GOAL_COMMANDS_PER_VERIFY ? 'met' : 'above goal'})\n` +
      `results: ${relative(ROOT, RESULTS_FILE)}\n`,
  );
}

runBenchmark(main);
