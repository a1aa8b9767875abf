import { Client } from 'pg';
import { type ApiProcess, dropDatabase, migrateDatabase, recreateDatabase, startWorker } from './harness';

/**
 * The worker's daily access_log partitions, on a database of their own (maintenance runs
 * as the worker starts): the days around today are made, rows that waited in the default
 * partition move into theirs, and what is older than retention goes.
 */

const DAY_MS = 86_400_000;
const database = `${new URL(process.env.DATABASE_URL as string).pathname.slice(1)}_partitions`;

let worker: ApiProcess;
let db: Client;

function dayName(ms: number): string {
  return `access_log_${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

async function insertRow(id: string, ts: Date): Promise<void> {
  await db.query(
    `INSERT INTO access_log (id, ts, workspace_id, kind, route, outcome, status, units, cost_micros, latency_ms)
     VALUES ($1, $2, 'ws_partitions', 'request', 'GET /v1/me', 'VALID', 200, 0, 0, 1)`,
    [id, ts],
  );
}

async function partitionOf(id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ partition: string }>(`SELECT tableoid::regclass::text AS partition FROM access_log WHERE id = $1`, [id]);
  return rows[0]?.partition;
}

const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;

beforeAll(async () => {
  const url = await recreateDatabase(process.env.DATABASE_URL as string, database);
  await migrateDatabase(url);
  db = new Client({ connectionString: url });
  await db.connect();
  // Before any maintenance: today's row waits in the default partition, as does one past retention.
  await insertRow('evt_today', new Date(today + DAY_MS / 2));
  await insertRow('evt_expired', new Date(today - 40 * DAY_MS));
  await db.query(`CREATE TABLE access_log_20200101 PARTITION OF access_log FOR VALUES FROM ('2020-01-01') TO ('2020-01-02')`);
  expect(await partitionOf('evt_today')).toBe('access_log_default');
  worker = await startWorker({ DATABASE_URL: url, KW_ACCESS_LOG_RETENTION_DAYS: '30' });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await db?.end();
  await dropDatabase(process.env.DATABASE_URL as string, database);
});

test('partitions exist from yesterday to the day after tomorrow, and none older than retention', async () => {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'access_log'::regclass ORDER BY 1`,
  );
  expect(rows.map((row) => row.name)).toEqual([...[-1, 0, 1, 2].map((offset) => dayName(today + offset * DAY_MS)), 'access_log_default']);
});

test("a row that waited in the default partition is moved into its day's partition", async () => {
  expect(await partitionOf('evt_today')).toBe(dayName(today));
});

test('rows older than retention are deleted from the default partition', async () => {
  expect(await partitionOf('evt_expired')).toBeUndefined();
});
