import type { App, Keywarden } from '@keywarden/sdk';
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
 * Canary keys: created like any key with `canary: true`, never valid. Verify answers
 * exactly as for an unknown key, and each use lands in a critical `canary_used` alert with
 * its `alert.canary_used` webhook event.
 */

let api: ApiProcess;
let db: Client;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

interface CreatedKey {
  id: string;
  secret: string;
  canary: boolean;
}

async function createKey(body: object): Promise<CreatedKey> {
  const response = await rawRequest(api.baseUrl, '/v1/keys', {
    apiKey: workspace.secret,
    body: JSON.stringify({ appId: app.id, name: uniqueName('k'), environment: 'live', scopes: ['generation.create'], ...body }),
  });
  expect(response.status).toBe(201);
  return response.json as CreatedKey;
}

function verifyRaw(body: object) {
  return rawRequest(api.baseUrl, '/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify(body) });
}

async function canaryAlertsOf(keyId: string) {
  const { rows } = await db.query<{ id: string; severity: string; status: string; occurrences: number; evidence: Record<string, unknown> }>(
    `SELECT id, severity, status, occurrences, evidence FROM alerts WHERE key_id = $1 AND type = 'canary_used' ORDER BY first_detected_at`,
    [keyId],
  );
  return rows;
}

beforeAll(async () => {
  api = await startApi();
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  workspace = await bootstrapWorkspace('canaries');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('canary-app'), scopeCatalog: ['generation.create'] });
});

afterAll(async () => {
  await api?.stop();
  await db?.end();
});

it('a canary verifies exactly as an unknown key does', async () => {
  const canary = await createKey({ canary: true });
  expect(canary.canary).toBe(true);
  const unknown = 'kw_live_' + canary.secret.slice('kw_live_'.length).split('').reverse().join('');
  const [asCanary, asUnknown, asMalformed] = await Promise.all([
    verifyRaw({ key: canary.secret, scope: 'generation.create', model: 'gpt-x' }),
    verifyRaw({ key: unknown, scope: 'generation.create', model: 'gpt-x' }),
    verifyRaw({ key: 'kw_live_nope', scope: 'generation.create', model: 'gpt-x' }),
  ]);
  expect(asCanary.status).toBe(200);
  expect(asCanary.text).toBe(asUnknown.text);
  expect(asCanary.text).toBe(asMalformed.text);
  expect(asCanary.json).toEqual({ valid: false, code: 'UNAUTHORIZED' });
  expect([...asCanary.headers.keys()].sort()).toEqual([...asUnknown.headers.keys()].sort());
});

it('each use lands in one critical canary_used alert naming IP, model, user agent and time, with its webhook event', async () => {
  const canary = await createKey({ canary: true });
  const before = Date.now();
  await verifyRaw({ key: canary.secret, ip: '203.0.113.9', model: 'gpt-x', userAgent: 'curl/8.5' });
  const [opened] = await eventually(
    async () => {
      const alerts = await canaryAlertsOf(canary.id);
      expect(alerts).toHaveLength(1);
      return alerts;
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
  expect(opened).toMatchObject({ severity: 'critical', status: 'open', occurrences: 1 });
  expect(opened.evidence).toMatchObject({ ip: '203.0.113.9', model: 'gpt-x', userAgent: 'curl/8.5', surface: 'verify' });
  expect(Date.parse(opened.evidence.usedAt as string)).toBeGreaterThanOrEqual(before - 1000);
  const { rows: events } = await db.query(`SELECT data FROM webhook_events WHERE type = 'alert.canary_used' AND data->>'keyId' = $1`, [canary.id]);
  expect(events).toHaveLength(1);
  expect(events[0].data).toMatchObject({ id: opened.id, type: 'canary_used', severity: 'critical' });

  await verifyRaw({ key: canary.secret, ip: '198.51.100.4', model: 'embed-1' });
  await eventually(
    async () => {
      const [alert] = await canaryAlertsOf(canary.id);
      expect(alert.occurrences).toBe(2);
      expect(alert.evidence).toMatchObject({ observed: 2, ip: '198.51.100.4', model: 'embed-1' });
      expect((alert.evidence.uses as Array<{ ip: string }>).map((use) => use.ip)).toEqual(['198.51.100.4', '203.0.113.9']);
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
  const { rows: after } = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE type = 'alert.canary_used' AND data->>'keyId' = $1`, [canary.id]);
  expect(after[0].n).toBe(1);
});

it('after the alert is resolved, the next use opens a new one', async () => {
  const canary = await createKey({ canary: true });
  await verifyRaw({ key: canary.secret });
  const [first] = await eventually(async () => {
    const alerts = await canaryAlertsOf(canary.id);
    expect(alerts).toHaveLength(1);
    return alerts;
  }, { timeoutMs: 5_000, intervalMs: 50 });
  expect((await rawRequest(api.baseUrl, `/v1/alerts/${first.id}/resolve`, { method: 'POST', apiKey: workspace.secret })).status).toBe(200);
  await verifyRaw({ key: canary.secret });
  await eventually(async () => expect(await canaryAlertsOf(canary.id)).toHaveLength(2), { timeoutMs: 5_000, intervalMs: 50 });
});

it('never counts toward usage or limits: its uses are metered as an unknown key', async () => {
  const canary = await createKey({ canary: true, policy: { rateLimits: { perMinute: 1 } } });
  for (let i = 0; i < 3; i++) expect((await verifyRaw({ key: canary.secret })).json).toEqual({ valid: false, code: 'UNAUTHORIZED' });
  await eventually(async () => expect(await canaryAlertsOf(canary.id)).toHaveLength(1), { timeoutMs: 5_000, intervalMs: 50 });
  await eventually(
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM access_log WHERE workspace_id = $1 AND kind = 'verify' AND key_id IS NULL AND outcome = 'UNAUTHORIZED'`,
        [workspace.workspaceId],
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(3);
    },
    { timeoutMs: 10_000 },
  );
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM access_log WHERE key_id = $1`, [canary.id]);
  expect(rows[0].n).toBe(0);
  const { rows: rollups } = await db.query(`SELECT count(*)::int AS n FROM usage_rollups WHERE key_id = $1`, [canary.id]);
  expect(rollups[0].n).toBe(0);
});

it('usage reported for a canary is refused with the whole report (all items or none)', async () => {
  const [canary, ordinary] = [await createKey({ canary: true }), await createKey({})];
  const item = (keyId: string) => ({ keyId, model: 'gpt-4o', units: 5, cost: 2, timestamp: new Date().toISOString(), requestId: uniqueName('report') });
  const response = await rawRequest(api.baseUrl, '/v1/usage', { apiKey: workspace.secret, body: JSON.stringify({ events: [item(ordinary.id), item(canary.id)] }) });
  expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /events\.1\.keyId is a canary key/ });
});

it('ordinary key listings never show canaries; canary=true lists them alone', async () => {
  const canary = await createKey({ canary: true });
  const ordinary = await createKey({});
  const listed = await rawRequest(api.baseUrl, `/v1/keys?appId=${app.id}&limit=100`, { apiKey: workspace.secret });
  const ids = (listed.json as { data: Array<{ id: string; canary: boolean }> }).data.map((key) => key.id);
  expect(ids).toContain(ordinary.id);
  expect(ids).not.toContain(canary.id);
  const canaries = await rawRequest(api.baseUrl, `/v1/keys?appId=${app.id}&canary=true&limit=100`, { apiKey: workspace.secret });
  const listedCanaries = (canaries.json as { data: Array<{ id: string; canary: boolean }> }).data;
  expect(listedCanaries.map((key) => key.id)).toContain(canary.id);
  expect(listedCanaries.every((key) => key.canary)).toBe(true);
  expectErrorEnvelope(await rawRequest(api.baseUrl, `/v1/keys?canary=maybe`, { apiKey: workspace.secret }), { status: 400, code: 'VALIDATION_FAILED' });
});

it('presented to the API itself, a canary is an invalid key, and raises its alarm naming the caller', async () => {
  const canary = await createKey({ canary: true });
  const response = await rawRequest(api.baseUrl, '/v1/me', { apiKey: canary.secret, headers: { 'user-agent': 'apithief/2' } });
  expectErrorEnvelope(response, { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
  await eventually(
    async () => {
      const [alert] = await canaryAlertsOf(canary.id);
      expect(alert.evidence).toMatchObject({ surface: 'api', ip: '127.0.0.1', userAgent: 'apithief/2' });
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
});

it('presented at console sign-in, a canary is an invalid key, and raises its alarm naming the caller', async () => {
  const canary = await createKey({ canary: true });
  const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: canary.secret }), headers: { 'user-agent': 'consolethief/1' } });
  expectErrorEnvelope(response, { status: 401, code: 'UNAUTHORIZED' });
  await eventually(
    async () => {
      const [alert] = await canaryAlertsOf(canary.id);
      expect(alert.evidence).toMatchObject({ surface: 'api', ip: '127.0.0.1', userAgent: 'consolethief/1' });
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
});

it('canary must be a boolean', async () => {
  const response = await rawRequest(api.baseUrl, '/v1/keys', {
    apiKey: workspace.secret,
    body: JSON.stringify({ appId: app.id, name: 'x', environment: 'live', scopes: ['generation.create'], canary: 'yes' }),
  });
  expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
});
