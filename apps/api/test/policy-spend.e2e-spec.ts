import type { App, Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, eventually, KEY_SHAPE, metricTotal, startApi, uniqueName, type Workspace } from './harness';
import { CATALOG, keyWithPolicy, redisDel, redisGet, sql, verifyCodes } from './policy/helpers';

let apiA: ApiProcess;
let apiB: ApiProcess;
let workspace: Workspace;
let viaA: Keywarden;
let viaB: Keywarden;
let app: App;

interface LimitEvent {
  app_id: string;
  data: Record<string, unknown>;
  dedupe_key: string;
}

const today = () => new Date().toISOString().slice(0, 10);

function limitEvents(keyId: string): Promise<LimitEvent[]> {
  return sql<LimitEvent>(`SELECT app_id, data, dedupe_key FROM webhook_events WHERE type = 'usage.limit_reached' AND data ->> 'keyId' = $1`, [keyId]);
}

/** Until each instance has completed a spend sync (100 ms apart here) that started after this call. */
async function nextSyncs(): Promise<void> {
  const syncs = () => Promise.all([apiA, apiB].map((api) => metricTotal(api.baseUrl, 'kw_spend_syncs_total')));
  const before = await syncs();
  // Syncs never overlap: the second one counted from here began after this call.
  await eventually(async () => expect((await syncs()).every((count, i) => count >= before[i] + 2)).toBe(true), { timeoutMs: 5_000 });
}

/** Every instance has sent its spend to Redis, then read everyone's back (and recorded what crossed a cap). */
async function afterSyncs(): Promise<void> {
  await nextSyncs();
  await nextSyncs();
}

function report(sdk: Keywarden, keyId: string, cost: number) {
  return sdk.usage.report([{ keyId, model: 'gpt-4o', units: 100, cost, timestamp: new Date().toISOString(), requestId: uniqueName('report') }]);
}

beforeAll(async () => {
  [apiA, apiB] = await Promise.all([startApi({ KW_SPEND_SYNC_MS: '100' }), startApi({ KW_SPEND_SYNC_MS: '100' })]);
  workspace = await bootstrapWorkspace('policy-spend');
  viaA = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
  app = await viaA.apps.create({ name: uniqueName('spend-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
});

it('once the cost on verify reaches the daily cap, verify answers USAGE_EXCEEDED', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1 });
  expect(await verifyCodes(viaA, key.secret, 4, { cost: 0.4 })).toEqual(['VALID', 'VALID', 'VALID', 'USAGE_EXCEEDED']);
  expect(await viaA.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED', keyId: key.id });
});

it('records usage.limit_reached once for the key and day, however often the cap is hit', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 0.5 });
  await verifyCodes(viaA, key.secret, 2, { cost: 0.3 });
  await eventually(async () => expect(await limitEvents(key.id)).toHaveLength(1), { timeoutMs: 5_000 });
  await verifyCodes(viaA, key.secret, 3, { cost: 0.3 });
  await verifyCodes(viaB, key.secret, 3, { cost: 0.3 });
  await report(viaB, key.id, 2);
  await afterSyncs();
  const events = await limitEvents(key.id);
  expect(events).toEqual([
    {
      app_id: app.id,
      data: { limitOf: 'key', keyId: key.id, appId: app.id, customerId: null, day: today(), spent: 0.6, limit: 0.5 },
      dedupe_key: `usage.limit_reached:${key.id}:${today()}`,
    },
  ]);
  expect(JSON.stringify(events)).not.toContain(key.secret);
  expect(JSON.stringify(events).match(KEY_SHAPE)).toBeNull();
});

it('records no usage.limit_reached for budget reserved by a request that a later check refused', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1, concurrency: 1 });
  expect((await viaA.verifyKey(key.secret, { cost: 0.6 })).code).toBe('VALID');
  const syncs = await metricTotal(apiA.baseUrl, 'kw_spend_syncs_total');
  expect((await viaA.verifyKey(key.secret, { cost: 0.6 })).code).toBe('RATE_LIMITED');
  // Syncs never overlap: the second one counted from here read the counter after the refusal.
  await eventually(async () => expect(await metricTotal(apiA.baseUrl, 'kw_spend_syncs_total')).toBeGreaterThanOrEqual(syncs + 2), { timeoutMs: 5_000 });
  expect(await limitEvents(key.id)).toEqual([]);
});

it('a lowered cap holds at once: what the instance holds under the old cap admits nothing past the new one', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 100 });
  expect(new Set(await verifyCodes(viaA, key.secret, 20, { cost: 0.25 }))).toEqual(new Set(['VALID']));
  await viaA.keys.update(key.id, { policy: { dailySpendLimit: 2 } });
  expect(await verifyCodes(viaA, key.secret, 3, { cost: 0.25 })).toEqual(['USAGE_EXCEEDED', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
});

it('usage.limit_reached names the customer the key belongs to when it reaches the cap', async () => {
  const customer = await viaA.customers.create({ externalId: uniqueName('moving'), name: 'Moving' });
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1 }, { customerId: customer.id });
  expect((await viaA.verifyKey(key.secret, { cost: 0.2 })).code).toBe('VALID');
  await viaA.keys.update(key.id, { customerId: null });
  expect((await viaA.verifyKey(key.secret, { cost: 0.9 })).code).toBe('VALID');
  await eventually(async () => expect((await limitEvents(key.id)).map((event) => event.data.customerId)).toEqual([null]), { timeoutMs: 5_000 });
});

it('reported cost (POST /v1/usage) counts towards the cap, on every instance', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 5 });
  expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
  await report(viaA, key.id, 4.999999);
  expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
  await report(viaA, key.id, 0.000001);
  expect((await viaA.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED');
  await eventually(async () => expect((await viaB.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED'), { timeoutMs: 2_000 });
  await eventually(async () => expect((await limitEvents(key.id)).map((event) => event.data.spent)).toEqual([5]), { timeoutMs: 5_000 });
});

it('a replayed report (same requestId) counts its cost once, whichever instance gets it', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1 });
  const item = { keyId: key.id, model: 'gpt-4o', units: 1, cost: 0.6, timestamp: new Date().toISOString(), requestId: uniqueName('replayed') };
  await viaA.usage.report([item]);
  await viaB.usage.report([item]);
  await afterSyncs();
  expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
  expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
});

describe('a requestId reported again is the same request: the cap and the rollups both count its first report', () => {
  const CONVERGE = { timeoutMs: 20_000, intervalMs: 200 };
  const replays = (api: ApiProcess) => metricTotal(api.baseUrl, 'kw_usage_report_replays_total');

  /** The key's spend today as its cap sees it: the Redis counter (no verify with a cost reserved any of it). */
  async function capSpend(keyId: string): Promise<number> {
    return Number((await redisGet(`kw:spend:{${keyId}}:${today()}`)) ?? 0) / 1e6;
  }

  /** The key's rolled-up usage today, once it counts `requests` events. */
  function rolledUp(keyId: string, requests: number) {
    const range = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };
    return eventually(async () => {
      const usage = await viaA.usage.query({ keyId, granularity: 'day', ...range });
      expect(usage.totals.requests).toBe(requests);
      return usage.totals;
    }, CONVERGE);
  }

  const item = (keyId: string, requestId: string, cost: number) => ({ keyId, model: 'gpt-4o', units: 10, cost, timestamp: new Date().toISOString(), requestId });

  it('reported with cost 0, then again with a cost (another instance): neither counts the cost, and the key stays under its cap', async () => {
    const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 5 });
    const requestId = uniqueName('zero-first');
    const before = await replays(apiB);
    await viaA.usage.report([item(key.id, requestId, 0)]);
    await viaB.usage.report([item(key.id, requestId, 5)]);
    // Decided when B took the report, whichever instance's batch reaches a worker first.
    expect(await replays(apiB)).toBe(before + 1);
    await afterSyncs();
    expect(await rolledUp(key.id, 1)).toEqual({ requests: 1, units: 10, cost: 0 });
    expect(await capSpend(key.id)).toBe(0);
    expect((await viaA.verifyKey(key.secret, { cost: 4.999999 })).code).toBe('VALID');
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
  });

  it.each([
    [0, 5],
    [0.25, 5],
  ])('the same requestId twice in one report (cost %s, then %s): the first item counts, in the cap and in the rollups', async (first, second) => {
    const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 5 });
    const requestId = uniqueName('same-report');
    await viaA.usage.report([item(key.id, requestId, first), item(key.id, requestId, second)]);
    await afterSyncs();
    expect(await rolledUp(key.id, 1)).toEqual({ requests: 1, units: 10, cost: first });
    expect(await capSpend(key.id)).toBe(first);
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
  });

  it('a replay after the cap has forgotten the requestId (its Redis mark expires in 2 days) is still not charged: the rollups remember it', async () => {
    const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1 });
    const requestId = uniqueName('long-after');
    await viaA.usage.report([item(key.id, requestId, 0.6)]);
    expect(await rolledUp(key.id, 1)).toEqual({ requests: 1, units: 10, cost: 0.6 });
    await redisDel(`kw:spend-report:${workspace.workspaceId}:${requestId}`);
    await viaB.usage.report([item(key.id, requestId, 0.6)]);
    await afterSyncs();
    expect(await capSpend(key.id)).toBe(0.6);
    expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
  });

  it('a verify and a later report of the same requestId are two events (admission, then the tokens): both count the reported cost', async () => {
    const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 1 });
    const requestId = uniqueName('verified');
    expect((await viaA.verifyKey(key.secret, { requestId })).code).toBe('VALID');
    await viaB.usage.report([item(key.id, requestId, 0.6)]);
    await afterSyncs();
    expect(await rolledUp(key.id, 2)).toEqual({ requests: 2, units: 10, cost: 0.6 });
    expect(await capSpend(key.id)).toBe(0.6);
  });
});

it('a zero cap refuses every verify', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 0 });
  expect((await viaA.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED');
});

it('requests refused for spend take nothing from the rate limit', async () => {
  const key = await keyWithPolicy(viaA, app, { dailySpendLimit: 0.5, rateLimits: { perDay: 2 } });
  expect((await viaA.verifyKey(key.secret, { cost: 0.5 })).code).toBe('VALID');
  for (let i = 0; i < 3; i++) expect((await viaA.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED');
  await viaA.keys.update(key.id, { policy: { dailySpendLimit: 10, rateLimits: { perDay: 2 } } });
  const answer = await viaA.verifyKey(key.secret);
  expect(answer).toMatchObject({ code: 'VALID', ratelimit: { limit: 2, remaining: 0 } });
});
