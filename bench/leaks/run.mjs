#!/usr/bin/env node
// Leak response benchmark, two figures, each against a baseline measured in the same run:
//
// 1. GitHub report -> refused on another instance: a signed secret scanning report is
//    posted to API instance A; the clock stops when instance B (credential cache TTL 5 min,
//    the key warm in it) answers verify with KEY_REVOKED. Baseline: the same for
//    POST /v1/keys/:id/revoke on A. p50 / p99 of BENCH_LEAK_SAMPLES keys each.
// 2. Bulk revoke of BENCH_BULK_KEYS keys (seeded straight into the tables) through
//    POST /v1/keys/bulk on A, in seconds, while autocannon verifies another key on A;
//    its throughput during the bulk operation is compared with a run of the same length
//    just before it (the baseline).
//
//   pnpm build && pnpm --filter @keywarden/bench leaks
//
// Its own database (keywarden_bench_leaks on the server of DATABASE_URL, or the local one),
// recreated each run.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { API_CLI, apiEnv, fmt, freePort, log, machine, percentile, prepareServices, recreateDatabase, RESULTS_DIR, ROOT, runSync, startServer, stopServer, table } from '../lib/harness.mjs';

const SAMPLES = Number(process.env.BENCH_LEAK_SAMPLES ?? 50);
const BULK_KEYS = Number(process.env.BENCH_BULK_KEYS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DATABASE = 'keywarden_bench_leaks';
const SEED_CHUNK = 50_000;

/** GitHub's published key list, served locally; the bench signs with its private half. */
async function githubKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const identifier = 'bench-key';
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ public_keys: [{ key_identifier: identifier, key: publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/keys`,
    headersFor: (body) => ({
      'content-type': 'application/json',
      'github-public-key-identifier': identifier,
      'github-public-key-signature': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
    }),
    close: () => server.close(),
  };
}

async function json(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A POST that may take minutes (fetch gives up on headers after 5). */
function postLong(url, headers, body) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) reject(new Error(`POST ${url} answered ${response.statusCode}: ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text));
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Polls B's verify, without pause, until it refuses the key; ms since `startedNs`. */
async function untilRefused(baseB, admin, secret, startedNs) {
  for (;;) {
    const answer = await json(`${baseB}/v1/keys/verify`, { method: 'POST', headers: admin, body: JSON.stringify({ key: secret }) });
    if (answer.code === 'KEY_REVOKED') return Number(process.hrtime.bigint() - startedNs) / 1e6;
    if (answer.code !== 'VALID') throw new Error(`unexpected verify answer ${answer.code}`);
  }
}

async function propagation({ baseA, baseB, admin, appId, github }) {
  const results = { github: [], revoke: [] };
  for (let i = 0; i < SAMPLES; i++) {
    for (const path of ['revoke', 'github']) {
      const key = await json(`${baseA}/v1/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ appId, name: `leak-${path}-${i}`, environment: 'live', scopes: ['generation.create'] }) });
      const warm = await json(`${baseB}/v1/keys/verify`, { method: 'POST', headers: admin, body: JSON.stringify({ key: key.secret }) });
      if (warm.code !== 'VALID') throw new Error(`warm-up verify answered ${warm.code}`);
      const started = process.hrtime.bigint();
      if (path === 'github') {
        const body = JSON.stringify([{ token: key.secret, type: 'keywarden_api_key', url: 'https://github.com/bench/leak', source: 'content' }]);
        const verdicts = await json(`${baseA}/v1/leaks/github`, { method: 'POST', headers: github.headersFor(body), body });
        if (verdicts[0].label !== 'true_positive') throw new Error('the report was not recognised');
      } else {
        await json(`${baseA}/v1/keys/${key.id}/revoke`, { method: 'POST', headers: { authorization: admin.authorization } });
      }
      results[path].push(await untilRefused(baseB, admin, key.secret, started));
    }
  }
  return results;
}

async function seedKeys(db, workspaceId, appId, createdBy) {
  for (let start = 1; start <= BULK_KEYS; start += SEED_CHUNK) {
    const end = Math.min(BULK_KEYS, start + SEED_CHUNK - 1);
    await db.query(
      `INSERT INTO api_keys (id, workspace_id, kind, app_id, environment, name, "group", scopes, metadata, status, created_by)
       SELECT 'key_' || lpad(i::text, 26, '0'), $1, 'app', $2, 'live', 'customer-' || i, 'doomed', '{generation.create}', '{}', 'active', $5
         FROM generate_series($3::int, $4::int) AS i`,
      [workspaceId, appId, start, end, createdBy],
    );
    await db.query(
      `INSERT INTO key_secrets (id, key_id, hash, prefix)
       SELECT 'ksec_' || lpad(i::text, 26, '0'), 'key_' || lpad(i::text, 26, '0'), sha256(int4send(i)), 'kw_live_' || lpad((i % 10000)::text, 4, '0')
         FROM generate_series($1::int, $2::int) AS i`,
      [start, end],
    );
  }
  await db.query('ANALYZE api_keys');
}

function verifyLoad(url, admin, secret, durationSeconds) {
  return autocannon({
    url: `${url}/v1/keys/verify`,
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ key: secret }),
    connections: CONNECTIONS,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 10,
  });
}

async function main() {
  const services = prepareServices();
  const databaseUrl = await recreateDatabase(services.databaseUrl, DATABASE);
  const github = await githubKeys();
  const env = apiEnv({ ...services, databaseUrl, pepper: randomBytes(32).toString('hex') }, {
    KW_METERING: 'off',
    LOG_LEVEL: 'warn',
    KW_GITHUB_SCANNING_KEYS_URL: github.url,
  });
  runSync(process.execPath, [API_CLI, 'migrate'], { env, what: 'migrate' });
  const { secret, workspaceId, keyId } = JSON.parse(runSync(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', 'bench-leaks'], { env, what: 'bootstrap' }));
  const ready = async (p) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).status === 200;
  const [portA, portB] = [await freePort(), await freePort()];
  const apiA = await startServer({ name: 'api-a', script: join(ROOT, 'apps/api/dist/main.js'), port: portA, env, ready });
  const apiB = await startServer({ name: 'api-b', script: join(ROOT, 'apps/api/dist/main.js'), port: portB, env: { ...env, KW_KEY_CACHE_TTL_MS: '300000' }, ready });
  const baseA = `http://127.0.0.1:${portA}`;
  const baseB = `http://127.0.0.1:${portB}`;
  const admin = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const app = await json(`${baseA}/v1/apps`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) });
    log(`propagation: ${SAMPLES} keys per path`);
    const times = await propagation({ baseA, baseB, admin, appId: app.id, github });
    const rows = ['revoke', 'github'].map((path) => ({
      name: path === 'github' ? 'POST /v1/leaks/github on A' : 'baseline: POST /v1/keys/:id/revoke on A',
      p50: percentile(times[path], 50),
      p99: percentile(times[path], 99),
    }));

    log(`seeding ${BULK_KEYS.toLocaleString('en')} keys`);
    await seedKeys(db, workspaceId, app.id, keyId);
    const bystander = await json(`${baseA}/v1/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ appId: app.id, name: 'bystander', environment: 'live', scopes: ['generation.create'], group: 'kept' }) });
    // Baseline verify throughput, then the same load during the bulk revoke.
    await verifyLoad(baseA, admin, bystander.secret, 3);
    const quietSeconds = Number(process.env.BENCH_BASELINE_SECONDS ?? 15);
    const quiet = await verifyLoad(baseA, admin, bystander.secret, quietSeconds);
    log('bulk revoke');
    let bulkDone = false;
    const bulkStarted = process.hrtime.bigint();
    const bulk = postLong(`${baseA}/v1/keys/bulk`, admin, JSON.stringify({ filter: { group: 'doomed' }, action: 'revoke' })).then((answer) => {
      bulkDone = true;
      return { answer, seconds: Number(process.hrtime.bigint() - bulkStarted) / 1e9 };
    });
    const during = [];
    while (!bulkDone) during.push(await verifyLoad(baseA, admin, bystander.secret, 2));
    const { answer, seconds } = await bulk;
    if (answer.changed !== BULK_KEYS) throw new Error(`bulk revoke changed ${answer.changed} of ${BULK_KEYS}`);
    const duringRequests = during.reduce((sum, run) => sum + run.requests.total, 0);
    const duringSeconds = during.reduce((sum, run) => sum + run.duration, 0);
    const quietRate = quiet.requests.total / quiet.duration;
    const duringRate = duringRequests / duringSeconds;
    const bystanderCheck = await json(`${baseA}/v1/keys/verify`, { method: 'POST', headers: admin, body: JSON.stringify({ key: bystander.secret }) });

    const base = rows[0];
    process.stdout.write(
      `\nGitHub report -> key refused by verify on instance B (${SAMPLES} keys each, B caches credentials for 5 min)\n\n` +
        table(rows, [
          { title: 'path', get: (r) => r.name, left: true },
          { title: 'p50', get: (r) => fmt.ms(r.p50) },
          { title: 'p99', get: (r) => fmt.ms(r.p99) },
          { title: 'p50 / baseline', get: (r) => fmt.ratio(r.p50 / base.p50) },
        ]) +
        `\n\nBulk revoke of ${BULK_KEYS.toLocaleString('en')} keys (POST /v1/keys/bulk, chunks of 500): ${seconds.toFixed(1)} s (${fmt.int(BULK_KEYS / seconds)} keys/s)\n` +
        `verify on another key (${CONNECTIONS} connections): ${fmt.int(quietRate)} req/s before, ${fmt.int(duringRate)} req/s during (${fmt.ratio(duringRate / quietRate)}); ` +
        `bystander still ${bystanderCheck.code}\n`,
    );
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(
      join(RESULTS_DIR, 'leaks-latest.json'),
      `${JSON.stringify({ samples: SAMPLES, propagation: rows, bulk: { keys: BULK_KEYS, seconds, verifyRateBefore: quietRate, verifyRateDuring: duringRate }, machine: machine() }, null, 2)}\n`,
    );
  } finally {
    await db.end();
    github.close();
    await Promise.all([stopServer(apiA), stopServer(apiB)]);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
