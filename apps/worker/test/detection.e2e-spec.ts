import type { Client } from 'pg';
import { connectDb, createFixture, type Fixture, metricValue, waitFor, WorkerProcess } from './harness';

/**
 * The detection runner of a real worker process against real PostgreSQL: which apps it
 * steps and how it copes with one it cannot step. (Alerts end to end, through the API, are
 * in the API's alerts e2e tests.)
 */

const MINUTE = 60_000;
const INTERVAL_MS = 100;
const WORKER_ENV = { KW_DETECTION_INTERVAL_MS: String(INTERVAL_MS), KW_DETECTION_CLOSE_DELAY_MS: '0' };

/** A few requests in each of the last 30 closed minutes, for every key of the app. */
async function recentTraffic(db: Client, fixture: Fixture, app: number): Promise<void> {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  for (const keyId of fixture.keys[app]) {
    await db.query(
      `INSERT INTO usage_rollups (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units, cost_micros)
       SELECT 'minute', to_timestamp(m / 1000.0), $1, $2, $3, 'model-a', 'VALID', 3, 3, 0
       FROM generate_series($4::bigint, $5::bigint, $6::bigint) AS m`,
      [fixture.workspaceId, fixture.apps[app], keyId, now - 30 * MINUTE, now - MINUTE, MINUTE],
    );
  }
}

async function watermarkOf(db: Client, appId: string): Promise<number | null> {
  const { rows } = await db.query(`SELECT watermark FROM app_detection_state WHERE app_id = $1`, [appId]);
  return rows[0]?.watermark ? (rows[0].watermark as Date).getTime() : null;
}

describe('detection runner (worker process, real PostgreSQL)', () => {
  let db: Client;
  let worker: WorkerProcess;
  let fixture: Fixture;
  let started: number;

  beforeAll(async () => {
    db = await connectDb();
    fixture = await createFixture(db, 2, 2);
    // App 0 holds settings the detectors cannot work with (business hours of no shape).
    await db.query(`UPDATE apps SET business_hours = '{}' WHERE id = $1`, [fixture.apps[0]]);
    await recentTraffic(db, fixture, 0);
    await recentTraffic(db, fixture, 1);
    started = Date.now();
    worker = await new WorkerProcess(WORKER_ENV).start();
  });

  afterAll(async () => {
    await worker?.stop();
    await db?.end();
  });

  it('steps an app with traffic up to its last closed minute', async () => {
    const lastClosed = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;

    const watermark = await waitFor(async () => {
      const value = await watermarkOf(db, fixture.apps[1]);
      return value !== null && value >= lastClosed ? value : null;
    }, 'app 1 stepped');

    expect(watermark % MINUTE).toBe(0);
  });

  it('leaves an app it cannot step unstepped, without holding up the others', async () => {
    await waitFor(async () => (await watermarkOf(db, fixture.apps[1])) !== null, 'app 1 stepped');
    // The runner does not promise to try app 0 before app 1: wait for its failure to be logged.
    await waitFor(async () => worker.output.includes(`detection step of app ${fixture.apps[0]} failed`), 'app 0 failure logged');

    expect(await watermarkOf(db, fixture.apps[0])).toBeNull();
  });

  it('retries a failing app after growing pauses, not on every run', async () => {
    const runs = await waitFor(async () => {
      const count = metricValue(await worker.metrics(), 'kw_detection_run_duration_seconds_count');
      return count >= 20 ? count : null;
    }, '20 detection runs');
    const elapsed = Date.now() - started;
    const failures = worker.output.split(`detection step of app ${fixture.apps[0]} failed`).length - 1;

    expect(failures).toBeGreaterThanOrEqual(1);
    expect(metricValue(await worker.metrics(), 'kw_detection_app_failures_total')).toBeGreaterThanOrEqual(failures);
    // Pauses of interval × 2, × 4, × 8 ...: n failures take at least interval × (2^n - 2).
    expect(failures).toBeLessThanOrEqual(Math.log2(elapsed / INTERVAL_MS + 2));
    expect(failures).toBeLessThan(runs);
  });
});
