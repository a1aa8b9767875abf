import type { Alert, App, AppKey, KeyContainment, Keywarden, WithSecret } from '@keywarden/sdk';
import { Client } from 'pg';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectErrorEnvelope,
  rawRequest,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Containment end to end: the run's worker steps the detectors (interval 1 s, see the
 * global setup), an opened alert contains its key as the app's settings say, the key
 * shows it, every API instance applies it at once (the revocation's invalidation path),
 * and resolving or lifting the alert releases the key.
 *
 * History is seeded as backdated minute rollups (past the detectors' warm-up); the live
 * test sends its burst through the real API and waits for that real minute to close.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const HISTORY_DAYS = 8;
const DETECTION = { timeoutMs: 90_000, intervalMs: 250 };

let apiA: ApiProcess;
let apiB: ApiProcess;
let db: Client;
let workspace: Workspace;
let owner: Keywarden;
let viaB: Keywarden;

function currentMinute(): number {
  return Math.floor(Date.now() / MINUTE) * MINUTE;
}

function ordinaryCount(minuteMs: number): number {
  return 2 + ((minuteMs / MINUTE) * 7919) % 3;
}

/** Backdated minute rollups of one key, `count(minute)` requests each minute from `fromMs` to `toMs`. */
async function seed(app: App, keyId: string, fromMs: number, toMs: number, count: (minuteMs: number) => number): Promise<void> {
  const buckets: string[] = [];
  const counts: number[] = [];
  for (let minute = fromMs; minute <= toMs; minute += MINUTE) {
    buckets.push(new Date(minute).toISOString());
    counts.push(count(minute));
  }
  await db.query(
    `INSERT INTO usage_rollups (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units, cost_micros)
     SELECT 'minute', b, $1, $2, $3, 'model-a', 'VALID', c, c, 0 FROM unnest($4::timestamptz[], $5::bigint[]) AS t(b, c)`,
    [workspace.workspaceId, app.id, keyId, buckets, counts],
  );
}

async function newApp(containment: Record<string, string>): Promise<App> {
  const app = await owner.apps.create({ name: uniqueName('contained'), timezone: 'UTC', scopeCatalog: ['generation.create'] });
  const response = await rawRequest(apiA.baseUrl, `/v1/apps/${app.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ containment }) });
  expect(response.json).toMatchObject({ containment: { spike: 'none', off_hours: 'none', unusual_model: 'none', ...containment } });
  return app;
}

function newKey(app: App): Promise<AppKey & WithSecret> {
  return owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes: ['generation.create'] });
}

type KeyView = AppKey;

async function keyView(keyId: string): Promise<KeyView> {
  return (await rawRequest(apiA.baseUrl, `/v1/keys/${keyId}`, { apiKey: workspace.secret })).json as KeyView;
}

async function containedBy(keyId: string): Promise<KeyContainment> {
  return eventually(async () => {
    const { containment } = await keyView(keyId);
    expect(containment).not.toBeNull();
    return containment as KeyContainment;
  }, DETECTION);
}

async function eventsOf(keyId: string, type: string) {
  const { rows } = await db.query<{ data: Record<string, unknown> }>(`SELECT data FROM webhook_events WHERE type = $2 AND data->>'keyId' = $1`, [keyId, type]);
  return rows;
}

beforeAll(async () => {
  // B caches credentials for 5 minutes: only the invalidation can make it notice.
  [apiA, apiB] = await Promise.all([startApi(), startApi({ KW_KEY_CACHE_TTL_MS: '300000' })]);
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  workspace = await bootstrapWorkspace('containment');
  owner = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
});

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
  await db?.end();
});

describe('disable on a spike (seeded history)', () => {
  let app: App;
  let key: AppKey & WithSecret;
  let alert: Alert;

  beforeAll(async () => {
    app = await newApp({ spike: 'disable' });
    key = await newKey(app);
    // B has the key cached as valid before anything happens.
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
    const now = currentMinute();
    // A week of ordinary traffic, then a spike over the last 10 minutes that is still on.
    await seed(app, key.id, now - HISTORY_DAYS * DAY, now - MINUTE, (minute) => (minute >= now - 10 * MINUTE ? 150 : ordinaryCount(minute)));
  }, 60_000);

  it('contains the key when the spike alert opens: visible on the key with why, since when and which alert', async () => {
    const containment = await containedBy(key.id);
    const alerts = await owner.alerts.list({ keyId: key.id, type: 'spike' });
    [alert] = alerts.data;
    expect(containment).toEqual({
      action: 'disable',
      alertId: alert.id,
      alertType: 'spike',
      since: expect.any(String),
      reason: expect.stringMatching(/^spike: \d+ requests in \d+m, expected /),
      rateLimitPerMinute: null,
      model: null,
    });
  }, 100_000);

  it('refuses the key on every instance at once, B included', async () => {
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_DISABLED');
    await eventually(async () => expect((await viaB.verifyKey(key.secret)).code).toBe('KEY_DISABLED'), { timeoutMs: 1_000, intervalMs: 20 });
  });

  it('sent key.contained and audited it', async () => {
    const [event] = await eventsOf(key.id, 'key.contained');
    expect(event.data).toMatchObject({ keyId: key.id, containment: { action: 'disable', alertId: alert.id } });
    const audit = await owner.audit.list({ targetId: key.id, action: 'key.contained' });
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ actorKeyId: null, details: { alertId: alert.id, action: 'disable' } });
  });

  it('an admin lifts it: the key works again everywhere, the alert stays open, key.released is sent', async () => {
    const lifted = await owner.alerts.lift(alert.id);
    expect(lifted).toMatchObject({ id: alert.id, status: 'open' });
    expect((await keyView(key.id)).containment).toBeNull();
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    await eventually(async () => expect((await viaB.verifyKey(key.secret)).code).toBe('VALID'), { timeoutMs: 1_000, intervalMs: 20 });
    expect(await eventsOf(key.id, 'key.released')).toHaveLength(1);
    const audit = await owner.audit.list({ targetId: alert.id, action: 'alert.lifted' });
    expect(audit.data[0]).toMatchObject({ actorKeyId: workspace.keyId, details: { keyId: key.id } });
    // Lifting again changes nothing.
    expect(await owner.alerts.lift(alert.id)).toMatchObject({ id: alert.id, status: 'open' });
    expect(await eventsOf(key.id, 'key.released')).toHaveLength(1);
  });

  it('lift needs alerts.write, and a real alert', async () => {
    const viewer = await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    expectErrorEnvelope(await rawRequest(apiA.baseUrl, `/v1/alerts/${alert.id}/lift`, { method: 'POST', apiKey: viewer.secret }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    expectErrorEnvelope(await rawRequest(apiA.baseUrl, `/v1/alerts/alrt_0000000000aaaaaaaaaaaaaaaa/lift`, { method: 'POST', apiKey: workspace.secret }), {
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});

describe('throttle on a spike of live traffic through the API', () => {
  let app: App;
  let leaked: AppKey & WithSecret;

  beforeAll(async () => {
    app = await newApp({ spike: 'throttle' });
    leaked = await newKey(app);
    const now = currentMinute();
    await seed(app, leaked.id, now - HISTORY_DAYS * DAY, now - MINUTE, ordinaryCount);
    // All of the burst in one minute: start early in a minute.
    if (Date.now() % MINUTE > 45_000) await new Promise((resolve) => setTimeout(resolve, MINUTE - (Date.now() % MINUTE) + 500));
    const answers = await Promise.all(Array.from({ length: 300 }, () => owner.verifyKey(leaked.secret, { scope: 'generation.create', model: 'model-a' })));
    expect(answers.every((answer) => answer.valid)).toBe(true);
  }, 90_000);

  it('throttles the key once the minute is stepped: a temporary limit at a multiple of the expected rate', async () => {
    const containment = await containedBy(leaked.id);
    expect(containment).toMatchObject({ action: 'throttle', alertType: 'spike' });
    expect(containment.rateLimitPerMinute).toBeGreaterThanOrEqual(1);
    expect(containment.rateLimitPerMinute).toBeLessThan(50);
    const answers = [];
    for (let i = 0; i < (containment.rateLimitPerMinute as number) + 5; i++) answers.push(await viaB.verifyKey(leaked.secret));
    expect(answers.map((answer) => answer.code)).toContain('RATE_LIMITED');
    expect(answers.find((answer) => answer.code === 'RATE_LIMITED')?.ratelimit?.limit).toBe(containment.rateLimitPerMinute);
  }, 100_000);

  it('releases the key when the alert is resolved', async () => {
    const { alertId } = (await keyView(leaked.id)).containment as { alertId: string };
    expect((await rawRequest(apiA.baseUrl, `/v1/alerts/${alertId}/resolve`, { method: 'POST', apiKey: workspace.secret })).json).toMatchObject({ status: 'resolved' });
    expect((await keyView(leaked.id)).containment).toBeNull();
    await eventually(async () => expect((await viaB.verifyKey(leaked.secret)).code).toBe('VALID'), { timeoutMs: 1_000, intervalMs: 20 });
    const [released] = await eventsOf(leaked.id, 'key.released');
    expect(released.data).toMatchObject({ containment: { action: 'throttle', alertId } });
  });
});

describe('app settings', () => {
  it('refuses block_model for volume alerts, and unknown actions', async () => {
    const app = await owner.apps.create({ name: uniqueName('settings') });
    for (const containment of [{ spike: 'block_model' }, { off_hours: 'block_model' }, { unusual_model: 'quarantine' }]) {
      const response = await rawRequest(apiA.baseUrl, `/v1/apps/${app.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ containment }) });
      expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    }
    const ok = await rawRequest(apiA.baseUrl, `/v1/apps/${app.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ containment: { unusual_model: 'block_model' } }) });
    expect(ok.json).toMatchObject({ containment: { spike: 'none', off_hours: 'none', unusual_model: 'block_model' } });
  });
});
