#!/usr/bin/env node
// Keys page benchmark: GET /v1/keys as the console calls it (list, cursor pages, search by
// name / prefix, group and status filters) with 1,000,000 keys in one app, through the
// real API process. Each query's latency is reported as is and as a ratio to GET /v1/me
// (the same auth path without a keys query) measured in the same run.
//
//   pnpm bench:keys               (needs `pnpm build` first)
//
// Its own database (keywarden_bench_keys on the server of DATABASE_URL, or the local
// one), recreated each run. Knobs: BENCH_KEYS (default 1000000), BENCH_SAMPLES (30).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { API_CLI, apiEnv, fmt, freePort, log, machine, prepareServices, recreateDatabase, RESULTS_DIR, ROOT, runSync, startServer, stopServer, table } from '../lib/harness.mjs';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const WARMUP = 3;
const DATABASE = 'keywarden_bench_keys';
const CHUNK = 100_000;
const GROUPS = ['production', 'staging', 'personal'];

/**
 * Keys straight into the tables, as the API would have written them: sortable ids, names
 * (every tenth contains "acme"), three groups, 1 % revoked, one secret each with a
 * distinct display prefix.
 */
async function seed(db, workspaceId, appId, createdBy) {
  for (let start = 1; start <= KEYS; start += CHUNK) {
    const end = Math.min(KEYS, start + CHUNK - 1);
    await db.query(
      `INSERT INTO api_keys (id, workspace_id, kind, app_id, environment, name, "group", scopes, status, created_by, created_at)
       SELECT 'key_' || lpad(i::text, 26, '0'), $1, 'app', $2, 'live',
              CASE WHEN i % 10 = 0 THEN 'acme ' ELSE '' END || 'customer-' || i,
              ($5::text[])[i % 3 + 1], '{generation.create}',
              CASE WHEN i % 100 = 0 THEN 'revoked' ELSE 'active' END, $6, now() - (($4 - i) || ' seconds')::interval
         FROM generate_series($3::int, $4::int) AS i`,
      [workspaceId, appId, start, end, GROUPS, createdBy],
    );
    await db.query(
      `INSERT INTO key_secrets (id, key_id, hash, prefix)
       SELECT 'sec_' || lpad(i::text, 26, '0'), 'key_' || lpad(i::text, 26, '0'), sha256(int4send(i)),
              'kw_live_' || translate(substr(encode(sha256(int4send(i)), 'base64'), 1, 4), '+/', 'Zz')
         FROM generate_series($1::int, $2::int) AS i`,
      [start, end],
    );
    log(`seeded ${end.toLocaleString('en')} keys`);
  }
  await db.query('ANALYZE api_keys');
  await db.query('ANALYZE key_secrets');
}

async function timed(url, headers) {
  const started = process.hrtime.bigint();
  const response = await fetch(url, { headers });
  const body = await response.text();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, rows: JSON.parse(body).data?.length ?? null };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measureQuery(baseUrl, headers, path) {
  for (let i = 0; i < WARMUP; i++) await timed(`${baseUrl}${path}`, headers);
  const samples = [];
  let rows = null;
  for (let i = 0; i < SAMPLES; i++) {
    const result = await timed(`${baseUrl}${path}`, headers);
    samples.push(result.ms);
    rows = result.rows;
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), rows };
}

async function main() {
  const services = prepareServices();
  const databaseUrl = await recreateDatabase(services.databaseUrl, DATABASE);
  const env = apiEnv({ ...services, databaseUrl, pepper: randomBytes(32).toString('hex') }, { KW_METERING: 'off', LOG_LEVEL: 'warn' });
  runSync(process.execPath, [API_CLI, 'migrate'], { env, what: 'migrate' });
  const { secret, workspaceId, keyId } = JSON.parse(runSync(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', 'bench-keys'], { env, what: 'bootstrap' }));
  const port = await freePort();
  const api = await startServer({
    name: 'api',
    script: join(ROOT, 'apps/api/dist/main.js'),
    port,
    env,
    ready: async (p) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).status === 200,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${secret}` };
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const created = await fetch(`${baseUrl}/v1/apps`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) });
    const app = await created.json();
    const seedStarted = Date.now();
    await seed(db, workspaceId, app.id, keyId);
    log(`seeded ${KEYS.toLocaleString('en')} keys in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
    const middle = `key_${String(Math.floor(KEYS / 2)).padStart(26, '0')}`;
    const somePrefix = (await db.query(`SELECT prefix FROM key_secrets WHERE key_id = $1`, [`key_${String(Math.floor(KEYS / 8) + 7).padStart(26, '0')}`])).rows[0].prefix;
    const queries = [
      { name: 'baseline: GET /v1/me', path: '/v1/me' },
      { name: 'list, first page', path: `/v1/keys?appId=${app.id}&limit=25` },
      { name: 'list, page from the middle (cursor)', path: `/v1/keys?appId=${app.id}&limit=25&cursor=${middle}` },
      { name: 'search name, one match', path: `/v1/keys?appId=${app.id}&limit=25&search=customer-${Math.floor(KEYS * 0.777) + 1}` },
      { name: 'search name, 10% match', path: `/v1/keys?appId=${app.id}&limit=25&search=acme` },
      { name: 'search name, no match', path: `/v1/keys?appId=${app.id}&limit=25&search=nobody-here` },
      { name: 'search display prefix', path: `/v1/keys?appId=${app.id}&limit=25&search=${somePrefix}` },
      { name: 'filter group', path: `/v1/keys?appId=${app.id}&limit=25&group=staging` },
      { name: 'filter status revoked (1%)', path: `/v1/keys?appId=${app.id}&limit=25&status=revoked` },
      { name: 'search name + group', path: `/v1/keys?appId=${app.id}&limit=25&search=acme&group=personal` },
    ];
    const results = [];
    for (const query of queries) {
      const measured = await measureQuery(baseUrl, headers, query.path);
      results.push({ ...query, ...measured });
      log(`${query.name}: p50 ${fmt.ms(measured.p50)}`);
    }
    const baseline = results[0].p50;
    process.stdout.write(
      `\nGET /v1/keys with ${KEYS.toLocaleString('en')} keys in one app (${SAMPLES} sequential requests each, after ${WARMUP} warm-up)\n\n` +
        table(results, [
          { title: 'query', get: (r) => r.name, left: true },
          { title: 'rows', get: (r) => r.rows ?? '-' },
          { title: 'p50', get: (r) => fmt.ms(r.p50) },
          { title: 'p95', get: (r) => fmt.ms(r.p95) },
          { title: 'p50 / baseline', get: (r) => fmt.ratio(r.p50 / baseline) },
        ]) +
        '\n',
    );
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'keys-latest.json'), `${JSON.stringify({ keys: KEYS, samples: SAMPLES, machine: machine(), results }, null, 2)}\n`);
  } finally {
    await db.end();
    await stopServer(api);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
