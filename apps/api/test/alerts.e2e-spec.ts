import type { Alert, App, AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  issuedSecrets,
  KEY_SHAPE,
  rawRequest,
  startApi,
  startWorker,
  uniqueName,
  WebhookReceiver,
  type Workspace,
} from './harness';

/**
 * Alerts end to end: minute rollups (seeded history, or real verifies through the API and
 * the usage worker) → the run's worker steps the detectors on closed minutes → alerts,
 * their `webhook_events` outbox rows, and the alerts API.
 *
 * History is seeded as backdated minute rollups so that detectors are past their week of
 * warm-up; the global setup runs the worker with a short interval and close delay and a
 * 4-hour alert window, so seeded anomalies of the last hours alert without waiting for
 * wall-clock minutes. Only the live-traffic test waits for one real minute to close.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const HISTORY_DAYS = 8;
const DETECTION = { timeoutMs: 30_000, intervalMs: 250 };

let api: ApiProcess;
let db: Client;
/** The admin-resolved alert of the ongoing spike, whose key leaks again in the live traffic. */
let adminResolved: { alert: Alert; key: AppKey & WithSecret } | undefined;
let workspace: Workspace;
let owner: Keywarden;

interface SeedRow {
  minuteMs: number;
  keyId: string;
  model: string;
  count: number;
}

/** Start of the current (open) minute. */
function currentMinute(): number {
  return Math.floor(Date.now() / MINUTE) * MINUTE;
}

/** Ordinary traffic: 2–4 requests every minute, deterministic. */
function ordinaryCount(minuteMs: number): number {
  return 2 + ((minuteMs / MINUTE) * 7919) % 3;
}

/** A key's minutes from `fromMs` to `toMs` (inclusive), `count` per minute (0 = absent). */
function minutes(keyId: string, model: string, fromMs: number, toMs: number, count: (minuteMs: number) => number): SeedRow[] {
  const rows: SeedRow[] = [];
  for (let minute = fromMs; minute <= toMs; minute += MINUTE) {
    const n = count(minute);
    if (n > 0) rows.push({ minuteMs: minute, keyId, model, count: n });
  }
  return rows;
}

/** Backdated minute rollups of one app, in one transaction (the worker sees all or none). */
async function seed(app: App, rows: SeedRow[]): Promise<void> {
  await db.query('BEGIN');
  try {
    for (let i = 0; i < rows.length; i += 5_000) {
      const batch = rows.slice(i, i + 5_000);
      await db.query(
        `INSERT INTO usage_rollups (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units, cost_micros)
         SELECT 'minute', b, $1, $2, k, m, 'VALID', c, c, 0
         FROM unnest($3::timestamptz[], $4::text[], $5::text[], $6::bigint[]) AS t(b, k, m, c)
         ON CONFLICT (granularity, workspace_id, bucket, app_id, key_id, model, outcome, customer_id) DO UPDATE
         SET requests = usage_rollups.requests + excluded.requests, units = usage_rollups.units + excluded.units`,
        [
          workspace.workspaceId,
          app.id,
          batch.map((row) => new Date(row.minuteMs).toISOString()),
          batch.map((row) => row.keyId),
          batch.map((row) => row.model),
          batch.map((row) => row.count),
        ],
      );
    }
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

interface OutboxEvent {
  id: string;
  type: string;
  data: Alert;
  text: string;
}

/** The app's alert events in the outbox (key lifecycle events are there too). */
async function outboxOf(appId: string): Promise<OutboxEvent[]> {
  const { rows } = await db.query<{ id: string; type: string; data: Alert; text: string }>(
    `SELECT id, type, data, data::text AS text FROM webhook_events WHERE app_id = $1 AND type LIKE 'alert.%' ORDER BY occurred_at, id`,
    [appId],
  );
  return rows;
}

async function alertsOf(appId: string): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for await (const alert of owner.alerts.listAll({ appId })) alerts.push(alert);
  return alerts;
}

async function detectionState(appId: string): Promise<{ watermark: Date | null; open_fingerprints: string[] } | undefined> {
  const { rows } = await db.query(`SELECT watermark, open_fingerprints FROM app_detection_state WHERE app_id = $1`, [appId]);
  return rows[0];
}

/** The app's detection watermark reached `minuteMs`: everything up to it was stepped. */
async function steppedThrough(appId: string, minuteMs: number): Promise<void> {
  await eventually(async () => {
    const state = await detectionState(appId);
    expect(state?.watermark?.getTime() ?? 0).toBeGreaterThanOrEqual(minuteMs);
  }, DETECTION);
}

async function newApp(label: string, detection?: App['detection'] | Partial<App['detection']>): Promise<App> {
  return owner.apps.create({ name: uniqueName(label), timezone: 'UTC', ...(detection ? { detection } : {}) });
}

async function newKey(app: App, label: string): Promise<AppKey & WithSecret> {
  return owner.keys.create({ appId: app.id, name: uniqueName(label), environment: 'live', scopes: ['generation.create'] });
}

/** Key material of every key of the run: secrets, key-shaped strings, display prefixes. */
function expectNoKeyMaterial(text: string, keys: Array<AppKey & WithSecret>): void {
  expect(text.match(KEY_SHAPE)).toBeNull();
  for (const secret of issuedSecrets()) expect(text).not.toContain(secret);
  for (const key of keys) expect(text).not.toContain(key.prefix);
}

beforeAll(async () => {
  api = await startApi();
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  workspace = await bootstrapWorkspace('alerts');
  owner = client(api.baseUrl, workspace.secret);
});

afterAll(async () => {
  await db?.end();
  await api?.stop();
});

describe('a seeded spike that is over', () => {
  let app: App;
  let loud: AppKey & WithSecret;
  let muted: AppKey & WithSecret;
  let quiet: AppKey & WithSecret;
  let spikeStart: number;

  beforeAll(async () => {
    app = await newApp('spike-over');
    loud = await newKey(app, 'loud');
    muted = await newKey(app, 'muted');
    quiet = await newKey(app, 'quiet');
    await owner.apps.update(app.id, { detection: { mutedKeyIds: [muted.id] } });
    const now = currentMinute();
    spikeStart = now - 150 * MINUTE;
    const spikeEnd = spikeStart + 30 * MINUTE;
    // The same 30-minute spike for the loud and the muted key; the quiet key stays ordinary.
    const shape = (minute: number) => (minute >= spikeStart && minute < spikeEnd ? 120 : ordinaryCount(minute));
    const from = now - HISTORY_DAYS * DAY;
    await seed(app, [
      ...minutes(loud.id, 'model-a', from, now - MINUTE, shape),
      ...minutes(muted.id, 'model-a', from, now - MINUTE, shape),
      ...minutes(quiet.id, 'model-a', from, now - MINUTE, ordinaryCount),
    ]);
    await steppedThrough(app.id, now - MINUTE);
  }, 60_000);

  it('opened exactly one alert for the spiking key, with evidence a human can judge', async () => {
    const alerts = await alertsOf(app.id);

    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({ type: 'spike', appId: app.id, keyId: loud.id, model: null });
    expect(Date.parse(alert.detectedAt)).toBeGreaterThan(spikeStart);
    expect(Date.parse(alert.detectedAt)).toBeLessThanOrEqual(spikeStart + 30 * MINUTE);
    expect(alert.evidence.observed).toBeGreaterThan(alert.evidence.expected);
    expect(alert.evidence.window).toMatch(/^\d+m$/);
    expect(alert.evidence.baselineHours).toBeGreaterThanOrEqual(7 * 24);
  });

  it('counted the repeated detections on that one alert', async () => {
    const [alert] = await alertsOf(app.id);

    expect(alert.occurrences).toBeGreaterThan(1);
    expect(Date.parse(alert.lastDetectedAt)).toBeGreaterThan(Date.parse(alert.detectedAt));
  });

  it('resolved it after the quiet period', async () => {
    const [alert] = await alertsOf(app.id);

    expect(alert).toMatchObject({ status: 'resolved', resolution: 'quiet_period', resolvedBy: null });
    expect(Date.parse(alert.resolvedAt as string)).toBeGreaterThanOrEqual(Date.parse(alert.lastDetectedAt) + 60 * MINUTE);
  });

  it('wrote one alert.spike and one alert.resolved event, each carrying the alert', async () => {
    const [alert] = await alertsOf(app.id);
    const events = await outboxOf(app.id);

    expect(events.map((event) => event.type)).toEqual(['alert.spike', 'alert.resolved']);
    expect(events[0].data).toMatchObject({ id: alert.id, type: 'spike', status: 'open', keyId: loud.id, occurrences: 1 });
    expect(events[0].data.evidence).toEqual(expect.objectContaining({ observed: expect.any(Number), window: expect.any(String) }));
    expect(events[1].data).toMatchObject({ id: alert.id, status: 'resolved', resolution: 'quiet_period' });
  });

  it('never alerted on the muted key, whose traffic was the same', async () => {
    expect((await owner.alerts.list({ keyId: muted.id })).data).toEqual([]);
    expect((await outboxOf(app.id)).filter((event) => event.text.includes(muted.id))).toEqual([]);
  });

  it('carries no key material in any event', async () => {
    for (const event of await outboxOf(app.id)) expectNoKeyMaterial(event.text, [loud, muted, quiet]);
  });
});

describe('minutes older than the alert window (first sight, catch-up)', () => {
  /** KW_DETECTION_ALERT_WINDOW_MINUTES of the run's worker (global setup). */
  const WINDOW = 240 * MINUTE;
  let app: App;
  let stale: AppKey & WithSecret;
  let ongoing: AppKey & WithSecret;
  let now: number;

  beforeAll(async () => {
    app = await newApp('catch-up');
    stale = await newKey(app, 'stale');
    ongoing = await newKey(app, 'ongoing');
    now = currentMinute();
    const staleSpike = (m: number) => (m >= now - 420 * MINUTE && m < now - 390 * MINUTE ? 150 : ordinaryCount(m));
    const ongoingSpike = (m: number) => (m >= now - 300 * MINUTE ? 150 : ordinaryCount(m));
    await seed(app, [
      ...minutes(stale.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, staleSpike),
      ...minutes(ongoing.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, ongoingSpike),
    ]);
    await steppedThrough(app.id, now - MINUTE);
  }, 60_000);

  it('learns from an incident that began and ended before the window without alerting', async () => {
    expect((await owner.alerts.list({ keyId: stale.id })).data).toEqual([]);
  });

  it('opens the alert of an incident that began before the window at its first detection inside it', async () => {
    const alerts = (await owner.alerts.list({ keyId: ongoing.id })).data;

    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'spike', status: 'open' });
    expect(Date.parse(alerts[0].detectedAt)).toBeGreaterThanOrEqual(now - WINDOW - MINUTE);
    expect((await outboxOf(app.id)).map((event) => [event.type, event.data.id])).toEqual([['alert.spike', alerts[0].id]]);
  });
});

describe('an admin handles an ongoing spike', () => {
  let app: App;
  let key: AppKey & WithSecret;
  let alert: Alert;

  beforeAll(async () => {
    app = await newApp('spike-ongoing');
    key = await newKey(app, 'ongoing');
    const now = currentMinute();
    const spikeStart = now - 10 * MINUTE;
    await seed(app, minutes(key.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, (m) => (m >= spikeStart ? 150 : ordinaryCount(m))));
    alert = await eventually(async () => {
      const [open] = (await owner.alerts.list({ appId: app.id, status: 'open' })).data;
      expect(open).toBeDefined();
      return open;
    }, DETECTION);
  }, 60_000);

  it('acknowledges it: acknowledged by the calling admin key, recorded in the audit log', async () => {
    const acknowledged = await owner.alerts.acknowledge(alert.id);

    expect(acknowledged).toMatchObject({ id: alert.id, status: 'acknowledged', acknowledgedBy: workspace.keyId });
    const audit = await owner.audit.list({ targetId: alert.id, action: 'alert.acknowledged' });
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ actorKeyId: workspace.keyId, targetType: 'alert' });
  });

  it('keeps the first acknowledgement when acknowledged again', async () => {
    const first = await owner.alerts.get(alert.id);

    const again = await owner.alerts.acknowledge(alert.id);

    expect(again.acknowledgedAt).toBe(first.acknowledgedAt);
    expect((await owner.audit.list({ targetId: alert.id, action: 'alert.acknowledged' })).data).toHaveLength(1);
  });

  it('resolves it: resolved by the admin, with one alert.resolved event', async () => {
    const resolved = await owner.alerts.resolve(alert.id);

    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'admin', resolvedBy: workspace.keyId });
    const events = await outboxOf(app.id);
    expect(events.map((event) => event.type)).toEqual(['alert.spike', 'alert.resolved']);
    expect(events[1].data).toMatchObject({ id: alert.id, status: 'resolved', resolution: 'admin' });
  });

  it('changes nothing when resolved again', async () => {
    const before = await owner.alerts.get(alert.id);

    const again = await owner.alerts.resolve(alert.id);

    expect(again).toEqual(before);
    expect((await outboxOf(app.id)).filter((event) => event.type === 'alert.resolved')).toHaveLength(1);
    expect((await owner.audit.list({ targetId: alert.id, action: 'alert.resolved' })).data).toHaveLength(1);
  });

  it('refuses to acknowledge a resolved alert: 409', async () => {
    await expectApiError(owner.alerts.acknowledge(alert.id), { status: 409, code: 'CONFLICT' });
  });

  it('makes the detector forget the incident on the next step', async () => {
    await eventually(async () => {
      const { rows } = await db.query(`SELECT incident_close_pending FROM alerts WHERE id = $1`, [alert.id]);
      expect(rows[0].incident_close_pending).toBe(false);
      expect((await detectionState(app.id))?.open_fingerprints).not.toContain(alert.fingerprint);
    }, DETECTION);
    adminResolved = { alert, key };
  });
});

describe('live traffic through the API with a leaked key', () => {
  let app: App;
  let leaked: AppKey & WithSecret;
  let bystander: AppKey & WithSecret;
  let secondWorker: ApiProcess;
  let trafficMinute: number;
  let receiver: WebhookReceiver;
  let endpointSecret: string;

  /** Verifies through the API, as the platform's services would send them. */
  async function verifies(key: AppKey & WithSecret, model: string, count: number): Promise<void> {
    const pending = Array.from({ length: count }, () => owner.verifyKey(key.secret, { scope: 'generation.create', model }));
    const answers = await Promise.all(pending);
    expect(answers.every((answer) => answer.valid)).toBe(true);
  }

  beforeAll(async () => {
    // A second worker competes for every app: each is still stepped by one at a time.
    secondWorker = await startWorker();
    app = await newApp('live-leak');
    leaked = await newKey(app, 'leaked');
    bystander = await newKey(app, 'bystander');
    // The app's security team listens for alerts on a signed webhook.
    receiver = await new WebhookReceiver().start();
    endpointSecret = (
      await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/alerts`, eventTypes: ['alert.spike', 'alert.unusual_model'] })
    ).secret;
    const now = currentMinute();
    await seed(app, [
      ...minutes(leaked.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, ordinaryCount),
      ...minutes(bystander.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, ordinaryCount),
    ]);
    await steppedThrough(app.id, now - MINUTE);
    // All traffic in one minute: start early in a minute.
    if (Date.now() % MINUTE > 45_000) await new Promise((resolve) => setTimeout(resolve, MINUTE - (Date.now() % MINUTE) + 500));
    trafficMinute = currentMinute();
    await verifies(leaked, 'model-a', 300);
    await verifies(leaked, 'leaked-model-x', 3);
    await verifies(bystander, 'model-a', 3);
    if (adminResolved) await verifies(adminResolved.key, 'model-a', 300);
  }, 90_000);

  afterAll(async () => {
    await secondWorker?.stop();
    await receiver?.stop();
  });

  it('raises one spike and one unusual_model alert once the minute has closed', async () => {
    // The one wait for a real minute: it closes at most 60 s after the traffic, plus the close delay.
    const alerts = await eventually(async () => {
      const found = await alertsOf(app.id);
      expect(found.map((alert) => alert.type).sort()).toEqual(['spike', 'unusual_model']);
      return found;
    }, { timeoutMs: 90_000, intervalMs: 500 });

    const byType = new Map(alerts.map((alert) => [alert.type, alert]));
    expect(byType.get('spike')).toMatchObject({ keyId: leaked.id, model: null, status: 'open' });
    expect(byType.get('spike')?.evidence.observed).toBeGreaterThanOrEqual(300);
    expect(byType.get('unusual_model')).toMatchObject({ keyId: leaked.id, model: 'leaked-model-x', status: 'open' });
    expect(byType.get('unusual_model')?.detectedAt).toBe(new Date(trafficMinute + MINUTE).toISOString());
  }, 100_000);

  it('delivers each alert once to the app\'s webhook endpoint, signed so that the standardwebhooks package accepts it', async () => {
    const deliveries = await eventually(async () => {
      const requests = receiver.at('/alerts');
      expect(requests).toHaveLength(2);
      return requests;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    const alerts = await alertsOf(app.id);

    const payloads = deliveries.map((request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      return new Webhook(endpointSecret).verify(request.body, headers) as { type: string; data: Alert };
    });
    expect(payloads.map((payload) => payload.type).sort()).toEqual(['alert.spike', 'alert.unusual_model']);
    for (const payload of payloads) {
      expect(payload.data).toMatchObject({ keyId: leaked.id, id: alerts.find((alert) => `alert.${alert.type}` === payload.type)?.id });
    }
    for (const request of deliveries) expectNoKeyMaterial(request.body, [leaked, bystander]);
  });

  it('opens a new alert when an incident an admin resolved recurs', async () => {
    const { alert, key } = adminResolved as NonNullable<typeof adminResolved>;

    const recurrence = await eventually(async () => {
      const [open] = (await owner.alerts.list({ keyId: key.id, status: 'open' })).data;
      expect(open).toBeDefined();
      return open;
    }, DETECTION);

    expect(recurrence).toMatchObject({ type: 'spike', fingerprint: alert.fingerprint, occurrences: 1 });
    expect(recurrence.id).not.toBe(alert.id);
    expect((await owner.alerts.get(alert.id)).status).toBe('resolved');
  });

  it('wrote exactly one outbox event per alert, without key material', async () => {
    const events = await outboxOf(app.id);

    expect(events.map((event) => event.type).sort()).toEqual(['alert.spike', 'alert.unusual_model']);
    for (const event of events) expectNoKeyMaterial(event.text, [leaked, bystander]);
  });

  it('counts the stepped minutes and incidents in the worker metrics', async () => {
    const text = await (await fetch(`${secondWorker.baseUrl}/metrics`)).text();
    const shared = await (await fetch(`${process.env.KW_E2E_WORKER_URL}/metrics`)).text();

    for (const metrics of [text, shared]) {
      expect(metrics).toMatch(/^kw_detection_lag_seconds \d/m);
      expect(metrics).toMatch(/^kw_detection_run_duration_seconds_count \d/m);
    }
    const total = (name: string) =>
      [text, shared]
        .flatMap((metrics) => metrics.split('\n').filter((line) => line.startsWith(name)))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(total('kw_detection_minutes_stepped_total{mode="live"}')).toBeGreaterThan(0);
    expect(total('kw_detection_incidents_total{change="opened",type="unusual_model"}')).toBeGreaterThanOrEqual(1);
  });
});

describe('detector settings on the app', () => {
  it('shows the defaults when none were set', async () => {
    const app = await newApp('defaults');

    expect(app.detection).toEqual({ sensitivity: 'medium', spikeFloorPerMinute: 0.5, offHoursFloorPerMinute: 1, mutedKeyIds: [] });
  });

  it('keeps the settings given at creation', async () => {
    const app = await newApp('tuned', { sensitivity: 'high', spikeFloorPerMinute: 12.5 });

    expect((await owner.apps.get(app.id)).detection).toEqual({
      sensitivity: 'high',
      spikeFloorPerMinute: 12.5,
      offHoursFloorPerMinute: 1,
      mutedKeyIds: [],
    });
  });

  it('changes only the fields an update names', async () => {
    const app = await newApp('partial', { sensitivity: 'low' });
    const key = await newKey(app, 'noisy');

    const updated = await owner.apps.update(app.id, { detection: { mutedKeyIds: [key.id], offHoursFloorPerMinute: 0 } });

    expect(updated.detection).toEqual({ sensitivity: 'low', spikeFloorPerMinute: 0.5, offHoursFloorPerMinute: 0, mutedKeyIds: [key.id] });
  });

  it("refuses to mute a key that is not the app's own", async () => {
    const app = await newApp('mute-foreign');
    const other = await newKey(await newApp('mute-other'), 'elsewhere');

    const response = await rawRequest(api.baseUrl, `/v1/apps/${app.id}`, {
      method: 'PATCH',
      apiKey: workspace.secret,
      body: JSON.stringify({ detection: { mutedKeyIds: [other.id] } }),
    });

    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: new RegExp(`not keys of this app: ${other.id}`) });
    expect(detailFields(response)).toEqual(['detection.mutedKeyIds']);
  });

  it('refuses muted keys on a new app, which has none', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/apps', {
      apiKey: workspace.secret,
      body: JSON.stringify({ name: uniqueName('mute-new'), detection: { mutedKeyIds: ['key_0000000000aaaaaaaaaaaaaaaa'] } }),
    });

    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toEqual(['detection.mutedKeyIds']);
  });

  it.each<[string, unknown, string]>([
    ['an unknown sensitivity', { sensitivity: 'paranoid' }, 'detection.sensitivity'],
    ['a negative floor', { spikeFloorPerMinute: -1 }, 'detection.spikeFloorPerMinute'],
    ['a floor that is not a number', { offHoursFloorPerMinute: '5' }, 'detection.offHoursFloorPerMinute'],
    ['a null floor', { spikeFloorPerMinute: null }, 'detection.spikeFloorPerMinute'],
    ['muted ids that are not key ids', { mutedKeyIds: ['app_0000000000aaaaaaaaaaaaaaaa'] }, 'detection.mutedKeyIds'],
    ['muted ids that are not a list', { mutedKeyIds: 'key_0000000000aaaaaaaaaaaaaaaa' }, 'detection.mutedKeyIds'],
  ])('refuses %s with a 400 naming the field', async (_label, detection, field) => {
    const app = await newApp('bad-settings');

    const response = await rawRequest(api.baseUrl, `/v1/apps/${app.id}`, {
      method: 'PATCH',
      apiKey: workspace.secret,
      body: JSON.stringify({ detection }),
    });

    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toContain(field);
  });
});

describe('alerts routes: access and bad input', () => {
  let app: App;
  let otherApp: App;
  let alert: Alert;

  beforeAll(async () => {
    app = await newApp('access');
    otherApp = await newApp('access-other');
    const key = await newKey(app, 'access');
    const now = currentMinute();
    await seed(app, minutes(key.id, 'model-a', now - HISTORY_DAYS * DAY, now - MINUTE, (m) => (m >= now - 5 * MINUTE ? 200 : ordinaryCount(m))));
    alert = await eventually(async () => {
      const [found] = (await owner.alerts.list({ appId: app.id })).data;
      expect(found).toBeDefined();
      return found;
    }, DETECTION);
  }, 60_000);

  it('gets an alert by id', async () => {
    expect(await owner.alerts.get(alert.id)).toEqual(alert);
  });

  it('filters by type, status, key and first detection time', async () => {
    const detected = Date.parse(alert.detectedAt);
    const hit = (query: Parameters<Keywarden['alerts']['list']>[0]) => owner.alerts.list({ appId: app.id, ...query });

    expect((await hit({ type: 'spike', status: alert.status, keyId: alert.keyId })).data.map((a) => a.id)).toEqual([alert.id]);
    expect((await hit({ type: 'off_hours' })).data).toEqual([]);
    expect((await hit({ status: 'resolved' })).data).toEqual([]);
    expect((await hit({ from: new Date(detected).toISOString(), to: new Date(detected + 1).toISOString() })).data).toHaveLength(1);
    expect((await hit({ from: new Date(detected + 1).toISOString() })).data).toEqual([]);
  });

  it('pages newest first with a cursor', async () => {
    const first = await owner.alerts.list({ limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).toBe(first.data[0].id);

    const second = await owner.alerts.list({ limit: 1, cursor: first.nextCursor as string });

    expect(second.data[0].id < first.data[0].id).toBe(true);
  });

  it("does not exist for another workspace: 404, and never listed", async () => {
    const other = client(api.baseUrl, (await bootstrapWorkspace('alerts-other')).secret);

    await expectApiError(other.alerts.get(alert.id), { status: 404, code: 'NOT_FOUND', message: 'Alert not found' });
    await expectApiError(other.alerts.acknowledge(alert.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(other.alerts.resolve(alert.id), { status: 404, code: 'NOT_FOUND' });
    expect((await other.alerts.list({ limit: 100 })).data).toEqual([]);
    await expectApiError(other.alerts.list({ appId: app.id }), { status: 404, code: 'NOT_FOUND' });
  });

  it('is forbidden to an admin key restricted to another app, and left out of its lists', async () => {
    const restricted = await owner.adminKeys.create({ name: uniqueName('other-app-only'), role: 'admin', appIds: [otherApp.id] });
    const kw = client(api.baseUrl, restricted.secret);

    await expectApiError(kw.alerts.get(alert.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(kw.alerts.resolve(alert.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect((await kw.alerts.list({ limit: 100 })).data.map((a) => a.id)).not.toContain(alert.id);
  });

  it('lets a viewer read alerts but not acknowledge or resolve them', async () => {
    const viewer = client(api.baseUrl, (await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' })).secret);

    expect((await viewer.alerts.get(alert.id)).id).toBe(alert.id);
    await expectApiError(viewer.alerts.acknowledge(alert.id), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /alerts\.write/,
    });
    await expectApiError(viewer.alerts.resolve(alert.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect((await owner.alerts.get(alert.id)).status).toBe(alert.status);
  });

  it("is closed to app keys, which carry no management scope: 403", async () => {
    const appKey = client(api.baseUrl, (await newKey(app, 'customer')).secret);

    await expectApiError(appKey.alerts.list(), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /alerts\.read/ });
  });

  it('needs an API key: 401', async () => {
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/alerts'), { status: 401, code: 'UNAUTHORIZED', message: 'API key required' });
  });

  it.each(['alrt_nope', 'key_0000000000aaaaaaaaaaaaaaaa', 'alrt_0000000000aaaaaaaaaaaaaaaa'])(
    'answers 404 for the alert id %s',
    async (id) => {
      expectErrorEnvelope(await rawRequest(api.baseUrl, `/v1/alerts/${id}`, { apiKey: workspace.secret }), {
        status: 404,
        code: 'NOT_FOUND',
        message: 'Alert not found',
      });
    },
  );

  it.each<[string, string]>([
    ['type=breach', 'type'],
    ['status=closed', 'status'],
    ['appId=key_0000000000aaaaaaaaaaaaaaaa', 'appId'],
    ['keyId=nope', 'keyId'],
    ['from=yesterday', 'from'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
    ['limit=0', 'limit'],
    ['cursor=%27%3B--', 'cursor'],
  ])('refuses the filter %s with a 400 naming the field', async (query, field) => {
    const response = await rawRequest(api.baseUrl, `/v1/alerts?${query}`, { apiKey: workspace.secret });

    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toContain(field);
  });
});
