import {
  type App,
  type AppKey,
  type Granularity,
  type Keywarden,
  type UsageQuery,
  type UsageReportItem,
  type WithSecret,
} from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  metricTotal,
  rawRequest,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * The usage pipeline end to end: API (buffer → BullMQ) → the run's worker process →
 * access_log + usage_rollups → GET /v1/usage and GET /v1/keys/:id/requests.
 */

const CATALOG = ['generation.create', 'vector.search'];
const MODELS = ['model-a', 'model-b'];
const CONVERGE = { timeoutMs: 20_000, intervalMs: 250 };

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let apps: App[];
let keys: Array<AppKey & WithSecret>;

interface Expected {
  requests: number;
  units: number;
  costMicros: number;
  byModel: Map<string, number>;
  byOutcome: Map<string, number>;
  byKey: Map<string, number>;
}

function emptyExpected(): Expected {
  return { requests: 0, units: 0, costMicros: 0, byModel: new Map(), byOutcome: new Map(), byKey: new Map() };
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** Expected figures per app id and per key id. */
const perApp = new Map<string, Expected>();
const perKey = new Map<string, Expected>();

function expect1(appId: string, keyId: string, model: string | null, outcome: string, units: number, costMicros: number): void {
  for (const expected of [perApp.get(appId) as Expected, perKey.get(keyId) as Expected]) {
    expected.requests++;
    expected.units += units;
    expected.costMicros += costMicros;
    bump(expected.byModel, model ?? '');
    bump(expected.byOutcome, outcome);
    bump(expected.byKey, keyId);
  }
}

function window(granularity: Granularity): { from: string; to: string } {
  const now = Date.now();
  const span = { minute: 30 * 60_000, hour: 24 * 3_600_000, day: 3 * 86_400_000 }[granularity];
  return { from: new Date(now - span).toISOString(), to: new Date(now + span).toISOString() };
}

async function usageOf(query: Omit<UsageQuery, 'from' | 'to'>) {
  return owner.usage.query({ ...query, ...window(query.granularity) });
}

function sumsBy(series: Array<Record<string, unknown>>, dimension: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const point of series) {
    const key = point[dimension] as string;
    sums.set(key, (sums.get(key) ?? 0) + (point.requests as number));
  }
  return sums;
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('usage');
  owner = client(api.baseUrl, workspace.secret);
  apps = [
    await owner.apps.create({ name: uniqueName('app-a'), scopeCatalog: CATALOG }),
    await owner.apps.create({ name: uniqueName('app-b'), scopeCatalog: CATALOG }),
  ];
  const keyFor = (app: App, scopes: string[]) =>
    owner.keys.create({ appId: app.id, name: uniqueName('key'), environment: 'live', scopes });
  keys = [
    await keyFor(apps[0], ['generation.create']),
    await keyFor(apps[0], ['generation.create', 'vector.search']),
    await keyFor(apps[1], ['vector.search']),
  ];
  for (const app of apps) perApp.set(app.id, emptyExpected());
  for (const key of keys) perKey.set(key.id, emptyExpected());
});

afterAll(async () => {
  await api?.stop();
});

describe('exactness', () => {
  const N_VERIFY = 60;
  const N_ME = 9;
  const reported: UsageReportItem[] = [];

  beforeAll(async () => {
    // Verifies: VALID and INSUFFICIENT_PERMISSIONS, two models, units and decimal costs.
    const verifies: Array<Promise<unknown>> = [];
    for (let i = 0; i < N_VERIFY; i++) {
      const key = keys[i % keys.length];
      const model = MODELS[i % MODELS.length];
      const scope = i % 5 === 0 ? 'vector.search' : 'generation.create';
      const units = i;
      const cost = Number(`0.${String(i).padStart(6, '0')}`) + (i % 3); // 6-decimal amounts
      verifies.push(
        owner.verifyKey(key.secret, { scope, model, units, cost, requestId: `v-${i}` }).then((answer) => {
          // A refused verify counts as a request, without its units and cost.
          const admitted = answer.code === 'VALID';
          expect1(key.appId, key.id, model, answer.code, admitted ? units : 0, admitted ? Math.round(cost * 1e6) : 0);
        }),
      );
    }
    // Requests made by app keys themselves (GET /v1/me): kind 'request', no model.
    for (let i = 0; i < N_ME; i++) {
      const key = keys[i % keys.length];
      verifies.push(
        client(api.baseUrl, key.secret)
          .me()
          .then(() => expect1(key.appId, key.id, null, 'VALID', 0, 0)),
      );
    }
    await Promise.all(verifies);
    // Reported usage: 12 items over the three keys and both models.
    for (let i = 0; i < 12; i++) {
      const key = keys[i % keys.length];
      reported.push({
        keyId: key.id,
        model: MODELS[(i + 1) % MODELS.length],
        units: 1000 + i,
        cost: 0.0125 * (i + 1),
        timestamp: new Date().toISOString(),
        requestId: uniqueName(`report-${i}`),
      });
    }
    expect(await owner.usage.report(reported)).toEqual({ accepted: reported.length });
    for (const item of reported) {
      const key = keys.find((k) => k.id === item.keyId) as AppKey;
      expect1(key.appId, key.id, item.model, 'VALID', item.units, Math.round(item.cost * 1e6));
    }
  });

  it.each<Granularity>(['minute', 'hour', 'day'])('per app, at %s granularity: totals and every groupBy sum to what was sent', async (granularity) => {
    for (const app of apps) {
      const expected = perApp.get(app.id) as Expected;
      await eventually(async () => {
        const usage = await usageOf({ appId: app.id, granularity });
        expect(usage.totals).toEqual({ requests: expected.requests, units: expected.units, cost: expected.costMicros / 1e6 });
      }, CONVERGE);
      const byModel = await usageOf({ appId: app.id, granularity, groupBy: 'model' });
      expect(byModel.totals.requests).toBe(expected.requests);
      expect(sumsBy(byModel.series as never, 'model')).toEqual(expected.byModel);
      const byOutcome = await usageOf({ appId: app.id, granularity, groupBy: 'outcome' });
      expect(sumsBy(byOutcome.series as never, 'outcome')).toEqual(expected.byOutcome);
      const byKey = await usageOf({ appId: app.id, granularity, groupBy: 'key' });
      expect(sumsBy(byKey.series as never, 'key')).toEqual(expected.byKey);
      for (const point of byKey.series) expect(point.bucket).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    }
  });

  it('per key, filtered by model', async () => {
    for (const key of keys) {
      const expected = perKey.get(key.id) as Expected;
      const usage = await eventually(async () => {
        const answer = await usageOf({ keyId: key.id, granularity: 'hour' });
        expect(answer.totals.requests).toBe(expected.requests);
        return answer;
      }, CONVERGE);
      expect(usage.totals.units).toBe(expected.units);
      const modelA = await usageOf({ keyId: key.id, granularity: 'hour', model: 'model-a' });
      expect(modelA.totals.requests).toBe(expected.byModel.get('model-a') ?? 0);
    }
  });

  it("lists every event of each key in its access log, newest first, across pages", async () => {
    for (const key of keys) {
      const expected = perKey.get(key.id) as Expected;
      const entries = await eventually(async () => {
        const all = [];
        for await (const entry of owner.keys.requestsAll(key.id, { limit: 7 })) all.push(entry);
        expect(all).toHaveLength(expected.requests);
        return all;
      }, CONVERGE);
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(entries.length);
      const times = entries.map((entry) => Date.parse(entry.timestamp));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(entries.filter((entry) => entry.kind === 'verify')).toHaveLength(
        entries.length - entries.filter((entry) => entry.kind !== 'verify').length,
      );
      // Metadata only: no key material anywhere in the log.
      expect(JSON.stringify(entries)).not.toContain(key.secret);
      const verify = entries.find((entry) => entry.kind === 'verify');
      expect(verify).toMatchObject({ route: 'POST /v1/keys/verify', status: 200, ip: '127.0.0.1' });
    }
    const invalid = await owner.keys.requests(keys[0].id, { outcome: 'INSUFFICIENT_PERMISSIONS', limit: 100 });
    expect(invalid.data.length).toBe(perKey.get(keys[0].id)?.byOutcome.get('INSUFFICIENT_PERMISSIONS') ?? 0);
    for (const entry of invalid.data) expect(entry.outcome).toBe('INSUFFICIENT_PERMISSIONS');
    const modelB = await owner.keys.requests(keys[1].id, { model: 'model-b', limit: 100 });
    expect(modelB.data.length).toBe(perKey.get(keys[1].id)?.byModel.get('model-b'));
  });

  it('a verify is one event: no extra request event for POST /v1/keys/verify', async () => {
    const page = await owner.keys.requests(keys[0].id, { limit: 100 });
    expect(page.data.every((entry) => entry.kind !== 'request' || entry.route === 'GET /v1/me')).toBe(true);
  });

  it('a replayed report (same requestIds) changes nothing', async () => {
    const app = apps[0];
    const before = perApp.get(app.id) as Expected;
    await eventually(async () => {
      expect((await usageOf({ appId: app.id, granularity: 'day' })).totals.requests).toBe(before.requests);
    }, CONVERGE);
    const replays = () => metricTotal(api.baseUrl, 'kw_usage_report_replays_total');
    const replaysBefore = await replays();
    expect(await owner.usage.report(reported)).toEqual({ accepted: reported.length });
    expect(await replays()).toBe(replaysBefore + reported.length);
    // An event of the replay would have reached the rollups by the time a later report does.
    const laterBefore = (await usageOf({ keyId: keys[2].id, granularity: 'day' })).totals.requests;
    await owner.usage.report([{ keyId: keys[2].id, model: 'm', units: 1, cost: 0, timestamp: new Date().toISOString(), requestId: uniqueName('later') }]);
    await eventually(async () => expect((await usageOf({ keyId: keys[2].id, granularity: 'day' })).totals.requests).toBe(laterBefore + 1), CONVERGE);
    expect((await usageOf({ appId: app.id, granularity: 'day' })).totals).toEqual({
      requests: before.requests,
      units: before.units,
      cost: before.costMicros / 1e6,
    });
  });

  it('keeps costs exact in micro-units', async () => {
    const key = await owner.keys.create({ appId: apps[1].id, name: uniqueName('cost'), environment: 'live', scopes: ['vector.search'] });
    // 0.1 + 0.2 arrives as 0.30000000000000004: floating-point noise, taken as 0.3.
    const costs = [0.1, 0.2, 0.3, 0.1 + 0.2, 1.000001];
    for (const cost of costs) expect((await owner.verifyKey(key.secret, { cost })).code).toBe('VALID');
    const usage = await eventually(async () => {
      const answer = await usageOf({ keyId: key.id, granularity: 'minute' });
      expect(answer.totals.requests).toBe(costs.length);
      return answer;
    }, CONVERGE);
    // 100000 + 200000 + 300000 + 300000 + 1000001
    expect(usage.totals.cost).toBe(1.900001);
  });

  it('updates lastUsedAt of the verified key through the worker', async () => {
    const fetched = await eventually(async () => {
      const key = await owner.keys.get(keys[2].id);
      expect(key.lastUsedAt).not.toBeNull();
      return key;
    }, CONVERGE);
    expect(Date.parse(fetched.lastUsedAt as string)).toBeLessThanOrEqual(Date.now() + 1_000);
  });
});

describe('tenant isolation', () => {
  let other: Workspace;
  let stranger: Keywarden;

  beforeAll(async () => {
    other = await bootstrapWorkspace('usage-other');
    stranger = client(api.baseUrl, other.secret);
  });

  it('answers 404 for an app or key of another workspace', async () => {
    const range = window('hour');
    await expectApiError(stranger.usage.query({ appId: apps[0].id, granularity: 'hour', ...range }), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(stranger.usage.query({ keyId: keys[0].id, granularity: 'hour', ...range }), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(stranger.keys.requests(keys[0].id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(
      stranger.usage.report([
        { keyId: keys[0].id, model: 'm', units: 1, cost: 0, timestamp: new Date().toISOString(), requestId: uniqueName('x') },
      ]),
      { status: 404, code: 'NOT_FOUND' },
    );
  });

  it("sees none of another workspace's rollups for its own apps", async () => {
    const app = await stranger.apps.create({ name: uniqueName('app'), scopeCatalog: CATALOG });
    const usage = await stranger.usage.query({ appId: app.id, granularity: 'day', ...window('day') });
    expect(usage.totals).toEqual({ requests: 0, units: 0, cost: 0 });
  });

  it('answers 403 for apps outside an app-restricted admin key', async () => {
    const restricted = await owner.adminKeys.create({ name: uniqueName('restricted'), role: 'developer', appIds: [apps[1].id] });
    const limited = client(api.baseUrl, restricted.secret);
    const range = window('hour');
    await expectApiError(limited.usage.query({ appId: apps[0].id, granularity: 'hour', ...range }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    await expectApiError(limited.keys.requests(keys[0].id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(
      limited.usage.report([
        { keyId: keys[0].id, model: 'm', units: 1, cost: 0, timestamp: new Date().toISOString(), requestId: uniqueName('x') },
      ]),
      { status: 403, code: 'INSUFFICIENT_PERMISSIONS' },
    );
    const allowed = await limited.usage.query({ appId: apps[1].id, granularity: 'hour', ...range });
    expect(allowed.granularity).toBe('hour');
  });

  it('needs usage.read / usage.write', async () => {
    const viewer = await owner.adminKeys.create({ name: uniqueName('keys-only'), scopes: ['keys.read'] });
    const limited = client(api.baseUrl, viewer.secret);
    await expectApiError(limited.usage.query({ appId: apps[0].id, granularity: 'hour', ...window('hour') }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /usage\.read/,
    });
    await expectApiError(limited.keys.requests(keys[0].id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(
      limited.usage.report([
        { keyId: keys[0].id, model: 'm', units: 1, cost: 0, timestamp: new Date().toISOString(), requestId: uniqueName('x') },
      ]),
      { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /usage\.write/ },
    );
  });
});

describe('a report refused for a full buffer', () => {
  let small: ApiProcess;

  beforeAll(async () => {
    // Room for a retry of two items beside the events of the calls themselves, not for five.
    small = await startApi({ KW_USAGE_BUFFER_MAX: '4' });
  });

  afterAll(async () => {
    await small?.stop();
  });

  it('claims none of its requestIds: its retry is counted, not taken for a replay', async () => {
    const key = await owner.keys.create({ appId: apps[1].id, name: uniqueName('retried'), environment: 'live', scopes: ['vector.search'] });
    const items = [1, 2, 3, 4, 5].map((i) => ({ keyId: key.id, model: 'm', units: i, cost: 0, timestamp: new Date().toISOString(), requestId: uniqueName(`retried-${i}`) }));
    const refused = await rawRequest(small.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify({ events: items }) });
    expectErrorEnvelope(refused, { status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(await client(small.baseUrl, workspace.secret).usage.report(items.slice(0, 2))).toEqual({ accepted: 2 });
    await eventually(async () => {
      expect((await usageOf({ keyId: key.id, granularity: 'day' })).totals).toEqual({ requests: 2, units: 3, cost: 0 });
    }, CONVERGE);
  });
});

describe('keys that are gone', () => {
  const itemFor = (keyId: string) => ({ keyId, model: 'm', units: 3, cost: 0.5, timestamp: new Date().toISOString(), requestId: uniqueName('gone') });
  const dayRange = () => window('day');

  it("refuses usage reported for a key of a deleted app as for an unknown key (404), and counts none of the report", async () => {
    const app = await owner.apps.create({ name: uniqueName('doomed'), scopeCatalog: CATALOG });
    const key = await owner.keys.create({ appId: app.id, name: uniqueName('doomed-key'), environment: 'live', scopes: ['vector.search'] });
    const live = await owner.keys.create({ appId: apps[1].id, name: uniqueName('live-key'), environment: 'live', scopes: ['vector.search'] });
    expect(await owner.usage.report([itemFor(key.id)])).toEqual({ accepted: 1 });
    await eventually(async () => expect((await owner.usage.query({ keyId: key.id, granularity: 'day', ...dayRange() })).totals.requests).toBe(1), CONVERGE);
    await owner.apps.delete(app.id);

    await expectApiError(owner.usage.query({ appId: app.id, granularity: 'day', ...dayRange() }), { status: 404, code: 'NOT_FOUND' });
    const unknown = await rawRequest(api.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify({ events: [itemFor('key_01m8bqfvqbf2v6vj3p6c5p4690')] }) });
    expectErrorEnvelope(unknown, { status: 404, code: 'NOT_FOUND', message: 'Key key_01m8bqfvqbf2v6vj3p6c5p4690 not found' });
    const gone = await rawRequest(api.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify({ events: [itemFor(live.id), itemFor(key.id)] }) });
    expectErrorEnvelope(gone, { status: 404, code: 'NOT_FOUND', message: `Key ${key.id} not found: its app was deleted` });
    // The same through the SDK, whose retries do not turn it into an accepted report.
    await expectApiError(owner.usage.report([itemFor(key.id)]), { status: 404, code: 'NOT_FOUND' });

    // A usage event of the refused reports would have reached the rollups by the time a later one does.
    expect(await owner.usage.report([itemFor(live.id)])).toEqual({ accepted: 1 });
    await eventually(async () => expect((await owner.usage.query({ keyId: live.id, granularity: 'day', ...dayRange() })).totals.requests).toBe(1), CONVERGE);
    expect((await owner.usage.query({ keyId: key.id, granularity: 'day', ...dayRange() })).totals).toEqual({ requests: 1, units: 3, cost: 0.5 });
  });

  it('still takes usage reported for a revoked key of a live app: tokens of requests it made before its revocation', async () => {
    const key = await owner.keys.create({ appId: apps[1].id, name: uniqueName('revoked'), environment: 'live', scopes: ['vector.search'] });
    await owner.keys.revoke(key.id);
    expect(await owner.usage.report([itemFor(key.id)])).toEqual({ accepted: 1 });
    await eventually(async () => expect((await owner.usage.query({ keyId: key.id, granularity: 'day', ...dayRange() })).totals.requests).toBe(1), CONVERGE);
  });
});

describe('bad input', () => {
  const item = () => ({ keyId: keys[0].id, model: 'm', units: 1, cost: 0.5, timestamp: new Date().toISOString(), requestId: 'r' });

  it.each<[string, () => unknown, string]>([
    ['no events', () => ({}), 'events'],
    ['empty events', () => ({ events: [] }), 'events'],
    ['1001 events', () => ({ events: Array.from({ length: 1001 }, item) }), 'events'],
    ['negative units', () => ({ events: [{ ...item(), units: -1 }] }), 'events.0.units'],
  ])('POST /v1/usage rejects %s', async (_label, payload, field) => {
    const response = await rawRequest(api.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify(payload()) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response).join(',')).toContain(field);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative cost', { cost: -0.01 }],
    ['a cost that is not a number', { cost: '0.1' }],
    ['fractional units', { units: 1.5 }],
    ['a bad timestamp', { timestamp: 'yesterday' }],
    ['a future timestamp', { timestamp: new Date(Date.now() + 3_600_000).toISOString() }],
    ['a missing requestId', { requestId: undefined }],
    ['a 129-char model', { model: 'm'.repeat(129) }],
  ])('POST /v1/usage rejects an item with %s', async (_label, change) => {
    const response = await rawRequest(api.baseUrl, '/v1/usage', {
      apiKey: workspace.secret,
      body: JSON.stringify({ events: [{ ...item(), ...change }] }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  });

  it.each<[string, number, RegExp]>([
    // Once accepted: its access-log row was dropped at the next maintenance while the rollups kept it.
    ['stamped in 1970', Date.parse('1970-01-01T00:00:00Z') - Date.now(), /events\.1\.timestamp must not be more than 30 days in the past \(the access log's retention, KW_ACCESS_LOG_RETENTION_DAYS\)/],
    ['stamped 31 days ago', -31 * 86_400_000, /events\.1\.timestamp must not be more than 30 days in the past/],
    ['stamped an hour ahead', 3_600_000, /events\.1\.timestamp must not be more than 5 minutes in the future/],
  ])('POST /v1/usage refuses the whole report for an item %s, naming the item and the bound', async (_label, offsetMs, message) => {
    const requestId = uniqueName('window');
    const response = await rawRequest(api.baseUrl, '/v1/usage', {
      apiKey: workspace.secret,
      body: JSON.stringify({ events: [{ ...item(), requestId: `${requestId}-a` }, { ...item(), requestId, timestamp: new Date(Date.now() + offsetMs).toISOString() }] }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message });
    expect(detailFields(response)).toEqual(['events.1.timestamp']);
  });

  it('POST /v1/usage takes items within the retention and the clock skew, and logs them where they happened', async () => {
    const key = await owner.keys.create({ appId: apps[1].id, name: uniqueName('late'), environment: 'live', scopes: ['vector.search'] });
    const times = [Date.now() - 29 * 86_400_000, Date.now() + 4 * 60_000];
    const events = times.map((at, i) => ({ ...item(), keyId: key.id, cost: 0, timestamp: new Date(at).toISOString(), requestId: uniqueName(`late-${i}`) }));
    expect(await owner.usage.report(events)).toEqual({ accepted: 2 });
    const logged = await eventually(async () => {
      const page = await owner.keys.requests(key.id, { limit: 10 });
      expect(page.data).toHaveLength(2);
      return page.data;
    }, CONVERGE);
    expect(logged.map((entry) => Date.parse(entry.timestamp)).sort((a, b) => a - b)).toEqual(times);
  });

  it('POST /v1/usage takes 1000 items in one report (body larger than the global limit)', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ ...item(), model: 'm'.repeat(100), requestId: uniqueName(`bulk-${i}`) }));
    expect(await owner.usage.report(events)).toEqual({ accepted: 1000 });
  });

  it('POST /v1/usage refuses a cost of more than 6 decimals, naming the item (money is stored exactly, not rounded)', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify({ events: [item(), { ...item(), cost: 0.0000001 }] }) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /events\.1\.cost must be a decimal amount between 0 and 1000000000 with at most 6 decimals/ });
  });

  it('POST /v1/usage answers 404 for an unknown key id, checking all items', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/usage', {
      apiKey: workspace.secret,
      body: JSON.stringify({ events: [item(), { ...item(), keyId: 'key_01m8bqfvqbf2v6vj3p6c5p4690' }] }),
    });
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
  });

  it.each<[string, string]>([
    ['no appId nor keyId', 'granularity=hour&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'],
    ['both appId and keyId', 'appId=app_x&keyId=key_x&granularity=hour&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'],
    ['an unknown granularity', 'appId=app_x&granularity=week&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'],
    ['a missing from', 'appId=app_x&granularity=hour&to=2026-01-02T00:00:00Z'],
    ['from after to', 'appId=app_x&granularity=hour&from=2026-01-03T00:00:00Z&to=2026-01-02T00:00:00Z'],
    ['more than 1440 minutes', 'appId=app_x&granularity=minute&from=2026-01-01T00:00:00Z&to=2026-01-02T00:01:00Z'],
    ['more than 2000 hours', 'appId=app_x&granularity=hour&from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
    ['more than 1000 days', 'appId=app_x&granularity=day&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['an unknown groupBy', 'appId=app_x&granularity=hour&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&groupBy=ip'],
  ])('GET /v1/usage rejects %s', async (_label, query) => {
    const response = await rawRequest(api.baseUrl, `/v1/usage?${query}`, { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  });

  // ISO 8601, yet not a form the API reads: once answered 500 (an invalid date reached the database).
  it.each<[string, () => string, (() => unknown) | undefined]>([
    ['POST /v1/usage', () => '/v1/usage', () => ({ events: [{ ...item(), timestamp: '2026-W49' }] })],
    ['GET /v1/usage', () => `/v1/usage?keyId=${keys[0].id}&granularity=day&from=2026-W49&to=2026-12-08T00:00:00Z`, undefined],
    ['GET /v1/keys/:id/requests', () => `/v1/keys/${keys[0].id}/requests?from=2026-W49`, undefined],
    ['GET /v1/alerts', () => '/v1/alerts?from=2026-W49', undefined],
  ])('%s refuses a week date (2026-W49) with 400, naming what it reads', async (_label, path, body) => {
    const response = await rawRequest(api.baseUrl, path(), { apiKey: workspace.secret, body: body ? JSON.stringify(body()) : undefined });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /must be a calendar date and time such as 2026-12-07T10:00:00Z/ });
  });

  // Without a zone the time was read in the server's own zone: another instant on another host.
  it.each<[string, () => string, (() => unknown) | undefined]>([
    ['POST /v1/usage', () => '/v1/usage', () => ({ events: [{ ...item(), timestamp: '2026-12-07T10:00:00' }] })],
    ['GET /v1/usage', () => `/v1/usage?keyId=${keys[0].id}&granularity=hour&from=2026-12-07T00:00:00&to=2026-12-07T10:00:00Z`, undefined],
    ['GET /v1/keys/:id/requests', () => `/v1/keys/${keys[0].id}/requests?to=2026-12-07T10:00:00`, undefined],
  ])('%s refuses a date and time without a time zone', async (_label, path, body) => {
    const response = await rawRequest(api.baseUrl, path(), { apiKey: workspace.secret, body: body ? JSON.stringify(body()) : undefined });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /must give its time zone, such as 2026-12-07T10:00:00Z/ });
  });

  it('GET /v1/usage accepts exactly 1440 minute buckets', async () => {
    const response = await rawRequest(
      api.baseUrl,
      `/v1/usage?appId=${apps[0].id}&granularity=minute&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`,
      { apiKey: workspace.secret },
    );
    expect(response.status).toBe(200);
  });

  it.each<[string, string]>([
    ['a forged cursor', 'cursor=bm90LWEtY3Vyc29y'],
    ['a cursor with bad characters', 'cursor=a.b'],
    ['limit 0', 'limit=0'],
    ['a bad from', 'from=nope'],
  ])('GET /v1/keys/:id/requests rejects %s', async (_label, query) => {
    const response = await rawRequest(api.baseUrl, `/v1/keys/${keys[0].id}/requests?${query}`, { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  });

  it.each<[string, string]>([
    ['a cursor with bad characters', 'a.b'],
    ['a forged cursor', 'bm90LWEtY3Vyc29y'],
  ])('GET /v1/keys/:id/requests says once what is wrong with %s', async (_label, cursor) => {
    const response = await rawRequest(api.baseUrl, `/v1/keys/${keys[0].id}/requests?cursor=${cursor}`, { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: 'Validation failed: cursor is not a valid cursor' });
    expect(response.json).toMatchObject({ error: { details: [{ field: 'cursor', message: 'is not a valid cursor' }] } });
  });

  it('GET /v1/keys/:id/requests answers 404 for a malformed key id', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys/nope/requests', { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['negative units', { units: -1 }],
    ['fractional units', { units: 0.5 }],
    ['a negative cost', { cost: -1 }],
    ['a string cost', { cost: '1' }],
    ['a 129-char model', { model: 'm'.repeat(129) }],
    ['a 65-char ip', { ip: '1'.repeat(65) }],
    ['a 129-char requestId', { requestId: 'r'.repeat(129) }],
  ])('POST /v1/keys/verify rejects %s', async (_label, change) => {
    const response = await rawRequest(api.baseUrl, '/v1/keys/verify', {
      apiKey: workspace.secret,
      body: JSON.stringify({ key: keys[0].secret, ...change }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(response.text).not.toContain(keys[0].secret);
  });
});

describe('metrics', () => {
  it('exposes the usage pipeline metrics for Prometheus, without a key', async () => {
    const response = await rawRequest(api.baseUrl, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of [
      'kw_usage_events_accepted_total',
      'kw_usage_events_dropped_total',
      'kw_usage_buffer_events',
      'kw_usage_flush_duration_seconds_bucket',
      'kw_usage_batch_events_bucket',
    ]) {
      expect(response.text).toContain(name);
    }
    const accepted = Number(/^kw_usage_events_accepted_total (\d+)/m.exec(response.text)?.[1]);
    expect(accepted).toBeGreaterThan(80);
  });
});
