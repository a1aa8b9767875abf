import { Client } from 'pg';

const MINUTE = 60_000;
const DAY = 86_400_000;
const HISTORY_DAYS = 8;

/**
 * Eight days of ordinary minute rollups for one key (2–4 requests a minute) with a
 * 20-minute spike of 120 a minute ending half an hour ago: the worker's detector, which
 * steps through closed minutes every second in this stack, opens a spike alert.
 */
export async function seedSpike(workspaceId: string, appId: string, keyId: string): Promise<void> {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const spikeStart = now - 50 * MINUTE;
  const buckets: string[] = [];
  const counts: number[] = [];
  for (let minute = now - HISTORY_DAYS * DAY; minute < now; minute += MINUTE) {
    buckets.push(new Date(minute).toISOString());
    counts.push(minute >= spikeStart && minute < spikeStart + 20 * MINUTE ? 120 : 2 + (((minute / MINUTE) * 7919) % 3));
  }
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO usage_rollups (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units, cost_micros)
       SELECT 'minute', b, $1, $2, $3, 'model-a', 'VALID', c, c, 0 FROM unnest($4::timestamptz[], $5::bigint[]) AS t(b, c)`,
      [workspaceId, appId, keyId, buckets, counts],
    );
  } finally {
    await db.end();
  }
}
