import type { App, Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, eventually, KEY_SHAPE, metricTotal, startApi, startWorker, uniqueName } from './harness';
import { CATALOG, keyWithPolicy, sql } from './policy/helpers';

const DAY_MS = 86_400_000;

interface EventRow {
  type: string;
  app_id: string;
  data: Record<string, unknown>;
  dedupe_key: string;
}

let api: ApiProcess;
/** A worker that scans for coming deadlines twice a second (the run's shared one scans rarely). */
let scanner: ApiProcess;
let owner: Keywarden;
let app: App;

function expiringEvents(keyId: string): Promise<EventRow[]> {
  return sql<EventRow>(`SELECT type, app_id, data, dedupe_key FROM webhook_events WHERE type = 'key.expiring' AND data ->> 'keyId' = $1`, [keyId]);
}

/** The key's one key.expiring event, once the scanner has recorded it. */
async function theExpiringEvent(keyId: string, timeoutMs = 5_000): Promise<EventRow> {
  const [event] = await eventually(
    async () => {
      const events = await expiringEvents(keyId);
      expect(events).toHaveLength(1);
      return events;
    },
    { timeoutMs },
  );
  return event;
}

/**
 * The key's events once the scanner has completed a whole scan that started after this
 * call (two more completed scans: the one in flight may have started before).
 */
async function eventsAfterScans(keyId: string): Promise<EventRow[]> {
  const scans = () => metricTotal(scanner.baseUrl, 'kw_key_expiry_scans_total');
  const before = await scans();
  await eventually(async () => expect(await scans()).toBeGreaterThanOrEqual(before + 2), { timeoutMs: 10_000 });
  return expiringEvents(keyId);
}

beforeAll(async () => {
  [api, scanner] = await Promise.all([startApi(), startWorker({ KW_KEY_EXPIRY_SCAN_MS: '500', KW_KEY_EXPIRING_LEAD_DAYS: '7' })]);
  const workspace = await bootstrapWorkspace('key-expiring');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('expiring-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await Promise.all([api?.stop(), scanner?.stop()]);
});

it('records key.expiring once for a key expiring within the lead time', async () => {
  const expiresAt = new Date(Date.now() + 2 * DAY_MS).toISOString();
  const key = await keyWithPolicy(owner, app, undefined, { expiresAt });
  const event = await theExpiringEvent(key.id);
  expect(event).toEqual({
    type: 'key.expiring',
    app_id: app.id,
    data: { keyId: key.id, appId: app.id, environment: 'live', name: key.name, prefix: key.prefix, customerId: null, expiresAt, reason: 'expiry' },
    dedupe_key: `key.expiring:${key.id}:expiry:1`,
  });
  expect(await eventsAfterScans(key.id)).toHaveLength(1);
});

it("records a customer's canary expiring for the app-wide endpoints only", async () => {
  const customer = await owner.customers.create({ externalId: uniqueName('acct') });
  const expiresAt = new Date(Date.now() + 2 * DAY_MS).toISOString();
  const [canary, genuine] = await Promise.all([
    owner.keys.create({ appId: app.id, name: uniqueName('decoy'), environment: 'live', scopes: [CATALOG[0]], customerId: customer.id, canary: true, expiresAt }),
    keyWithPolicy(owner, app, undefined, { expiresAt, customerId: customer.id }),
  ]);
  const scopes = await eventually(async () => {
    const rows = await sql<{ key_id: string; customer_id: string | null }>(
      `SELECT data ->> 'keyId' AS key_id, customer_id FROM webhook_events WHERE type = 'key.expiring' AND data ->> 'keyId' = ANY($1::text[])`,
      [[canary.id, genuine.id]],
    );
    expect(rows).toHaveLength(2);
    return Object.fromEntries(rows.map((row) => [row.key_id, row.customer_id]));
  }, { timeoutMs: 5_000 });
  expect(scopes).toEqual({ [canary.id]: null, [genuine.id]: customer.id });
});

it('records key.expiring ahead of the rotation-period deadline of the current secret', async () => {
  const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 5 });
  const [secret] = await sql<{ created_at: Date }>(`SELECT created_at FROM key_secrets WHERE key_id = $1`, [key.id]);
  const deadline = new Date(secret.created_at.getTime() + 5 * DAY_MS).toISOString();
  const event = await theExpiringEvent(key.id);  expect(event.data).toMatchObject({ keyId: key.id, expiresAt: deadline, reason: 'rotation_period' });
  expect(await eventsAfterScans(key.id)).toHaveLength(1);
});

it("uses the app default's rotation period for keys without their own", async () => {
  const rotating = await owner.apps.create({ name: uniqueName('rotating-app'), scopeCatalog: CATALOG, defaultPolicy: { rotationPeriodDays: 3 } });
  const key = await keyWithPolicy(owner, rotating, undefined);
  await eventually(async () => expect((await expiringEvents(key.id)).map((event) => event.data.reason)).toEqual(['rotation_period']), {
    timeoutMs: 5_000,
  });
});

it('a rotation gives the new secret its own deadline and its own event', async () => {
  const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 6 });
  await eventually(async () => expect(await expiringEvents(key.id)).toHaveLength(1), { timeoutMs: 5_000 });
  await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
  await eventually(async () => expect(await expiringEvents(key.id)).toHaveLength(2), { timeoutMs: 5_000 });
});

it('records nothing for deadlines beyond the lead time, or for revoked keys', async () => {
  const far = await keyWithPolicy(owner, app, { rotationPeriodDays: 90 }, { expiresAt: new Date(Date.now() + 30 * DAY_MS).toISOString() });
  const revoked = await keyWithPolicy(owner, app, undefined, { expiresAt: new Date(Date.now() + DAY_MS).toISOString() });
  await owner.keys.revoke(revoked.id);
  expect(await eventsAfterScans(far.id)).toEqual([]);
  expect(await expiringEvents(revoked.id)).toEqual([]);
});

it('carries no key material', async () => {
  const key = await keyWithPolicy(owner, app, undefined, { expiresAt: new Date(Date.now() + DAY_MS).toISOString() });
  const event = await theExpiringEvent(key.id);
  const text = JSON.stringify(event);
  expect(text).not.toContain(key.secret);
  expect(text.match(KEY_SHAPE)).toBeNull();
});

/** New York's UTC offset at `at`, e.g. "GMT-5" in winter and "GMT-4" in summer. */
function newYorkOffset(at: Date): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value as string;
}

it("announces the rotation deadline verify keeps (days of 24 h), whatever the database's time zone and its daylight saving changes", async () => {
  // A PostgreSQL whose TimeZone has daylight saving time (its sessions here: New York's).
  // The deadline lies beyond the shared scanner's lead time, so only this one records it.
  const zoned = await startWorker({ KW_KEY_EXPIRY_SCAN_MS: '500', KW_KEY_EXPIRING_LEAD_DAYS: '60', PGOPTIONS: '-c TimeZone=America/New_York' });
  try {
    const deadline = new Date(Math.floor((Date.now() + 30 * DAY_MS) / 1000) * 1000);
    // A period across one change of New York's clocks: its calendar days are not all 24 h.
    let days = 40;
    while (newYorkOffset(new Date(deadline.getTime() - days * DAY_MS)) === newYorkOffset(deadline)) days++;
    const key = await keyWithPolicy(owner, app, { rotationPeriodDays: days });
    await sql(`UPDATE key_secrets SET created_at = $2 WHERE key_id = $1`, [key.id, new Date(deadline.getTime() - days * DAY_MS)]);
    const event = await theExpiringEvent(key.id, 10_000);
    const verified = await owner.verifyKey(key.secret);
    expect(verified).toMatchObject({ valid: true, expiresAt: deadline.toISOString() });
    expect(event.data).toMatchObject({ reason: 'rotation_period', expiresAt: verified.expiresAt });
  } finally {
    await zoned.stop();
  }
});
