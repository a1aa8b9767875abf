import { randomBytes } from 'node:crypto';
import { dataSourceOptions } from '@keywarden/db';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KeyExpiryService } from '../src/keys/key-expiry.service';
import { MetricsService } from '../src/metrics/metrics.service';
import { connectDb, createFixture, requireEnv, uid } from './harness';

/**
 * The key expiry scan against the real database, called directly so that each step is one
 * whole scan: whatever a key's deadline did, the latest `key.expiring` its receivers heard
 * names the deadline it has now, and no scan records an announcement twice.
 */

const DAY_MS = 86_400_000;
const LEAD_DAYS = 7;

interface Announcement {
  reason: string;
  deadline: string;
  dedupe_key: string;
}

let db: Client;
const dataSources: DataSource[] = [];

async function newScanner(): Promise<KeyExpiryService> {
  const dataSource = await new DataSource(dataSourceOptions(requireEnv('DATABASE_URL'))).initialize();
  dataSources.push(dataSource);
  return new KeyExpiryService(dataSource, { leadDays: LEAD_DAYS, scanMs: 60_000 }, new MetricsService());
}

/** A deadline within the lead time, as the events write it. */
function inDays(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString();
}

/** A live app key with a current secret, expiring at `expiresAt`. */
async function keyExpiringAt(expiresAt: string): Promise<string> {
  const [[keyId]] = (await createFixture(db, 1, 1)).keys;
  await db.query(`INSERT INTO key_secrets (id, key_id, hash, prefix) VALUES ($1, $2, $3, $4)`, [uid('sec'), keyId, randomBytes(32), uid('kw_live')]);
  await moveExpiry(keyId, expiresAt);
  return keyId;
}

async function moveExpiry(keyId: string, expiresAt: string): Promise<void> {
  await db.query(`UPDATE api_keys SET expires_at = $2 WHERE id = $1`, [keyId, expiresAt]);
}

/** The key's `key.expiring` events, in the order they were recorded. */
async function announcements(keyId: string): Promise<Announcement[]> {
  const { rows } = await db.query<Announcement>(
    `SELECT data ->> 'reason' AS reason, data ->> 'expiresAt' AS deadline, dedupe_key FROM webhook_events
      WHERE type = 'key.expiring' AND data ->> 'keyId' = $1 ORDER BY occurred_at, id`,
    [keyId],
  );
  return rows;
}

let scanner: KeyExpiryService;

beforeAll(async () => {
  db = await connectDb();
  scanner = await newScanner();
});

afterAll(async () => {
  await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
  await db?.end();
});

it('announces a deadline moved back to one announced before (X, then Y, then X again): the latest announcement names X', async () => {
  const [x, y] = [inDays(3), inDays(5)];
  const keyId = await keyExpiringAt(x);
  await scanner.scan();
  await moveExpiry(keyId, y);
  await scanner.scan();
  await moveExpiry(keyId, x);
  await scanner.scan();
  expect(await announcements(keyId)).toEqual([
    { reason: 'expiry', deadline: x, dedupe_key: `key.expiring:${keyId}:expiry:1` },
    { reason: 'expiry', deadline: y, dedupe_key: `key.expiring:${keyId}:expiry:2` },
    { reason: 'expiry', deadline: x, dedupe_key: `key.expiring:${keyId}:expiry:3` },
  ]);
});

it("announces a moved expiry again without announcing the key's unchanged rotation deadline again", async () => {
  const keyId = await keyExpiringAt(inDays(3));
  await db.query(`UPDATE api_keys SET policy = '{"rotationPeriodDays": 5}' WHERE id = $1`, [keyId]);
  await scanner.scan();
  await moveExpiry(keyId, inDays(4));
  await scanner.scan();
  // One scan records both reasons at once: their order is not the point.
  expect((await announcements(keyId)).map((announcement) => announcement.dedupe_key).sort()).toEqual([
    `key.expiring:${keyId}:expiry:1`,
    `key.expiring:${keyId}:expiry:2`,
    `key.expiring:${keyId}:rotation_period:1`,
  ]);
});

it('announces an unchanged deadline once, however many scans follow', async () => {
  const keyId = await keyExpiringAt(inDays(2));
  await scanner.scan();
  await scanner.scan();
  expect(await announcements(keyId)).toHaveLength(1);
});

it('two workers scanning at once record one announcement', async () => {
  const other = await newScanner();
  const keyId = await keyExpiringAt(inDays(4));
  await Promise.all([scanner.scan(), other.scan()]);
  expect(await announcements(keyId)).toHaveLength(1);
});

it('two workers scanning at once after the deadline moved record one more announcement', async () => {
  const other = await newScanner();
  const [first, moved] = [inDays(4), inDays(6)];
  const keyId = await keyExpiringAt(first);
  await scanner.scan();
  await moveExpiry(keyId, moved);
  await Promise.all([scanner.scan(), other.scan()]);
  expect((await announcements(keyId)).map((announcement) => announcement.deadline)).toEqual([first, moved]);
});
