import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { App, AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import Redis from 'ioredis';
import { Client } from 'pg';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectErrorEnvelope,
  rawRequest,
  startApi,
  startOwnRedis,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Leak reports end to end: GitHub secret scanning requests signed with the test's own
 * P-256 key (whose public half a local server publishes in GitHub's format), and
 * POST /v1/leaks from an admin key. Checked: what is revoked (or not), the `leak` alert
 * and its evidence, `key.leaked` in the outbox, the audit trail.
 */

interface Signer {
  identifier: string;
  privateKey: KeyObject;
  publicPem: string;
}

function newSigner(identifier: string): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { identifier, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** GitHub's key list, served on 127.0.0.1; counts how often it is fetched. */
class KeyListServer {
  published: Signer[] = [];
  fetches = 0;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_request, response) => {
      this.fetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          public_keys: this.published.map((signer) => ({ key_identifier: signer.identifier, key: signer.publicPem, is_current: true })),
        }),
      );
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/meta/public_keys/secret_scanning`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
  }
}

interface GithubToken {
  token: string;
  type: string;
  url: string;
  source: string;
}

function signed(signer: Signer, body: string): Record<string, string> {
  return {
    'Github-Public-Key-Identifier': signer.identifier,
    'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), signer.privateKey).toString('base64'),
  };
}

function tokenReport(token: string): GithubToken {
  return { token, type: 'keywarden_api_key', url: 'https://github.com/octo/leaky/blob/main/.env', source: 'content' };
}

/** Replay protection remembers a body for 7 days: a fixed body reported again in a later run of the suite would be a replay. */
const RUN_URL = `https://github.com/octo/${uniqueName('run')}/blob/main/.env`;

function inThisRun(report: GithubToken): GithubToken {
  return { ...report, url: RUN_URL };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let keyList: KeyListServer;
let api: ApiProcess;
let db: Client;
let workspace: Workspace;
let owner: Keywarden;
let app: App;
const github = newSigner('test-key-1');

function postGithub(body: string, headers: Record<string, string>) {
  return rawRequest(api.baseUrl, '/v1/leaks/github', { method: 'POST', body, headers });
}

function newKey(target: App = app): Promise<AppKey & WithSecret> {
  return owner.keys.create({ appId: target.id, name: uniqueName('leaky'), environment: 'live', scopes: ['generation.create'] });
}

async function statusOf(keyId: string): Promise<string> {
  const { rows } = await db.query<{ status: string }>(`SELECT status FROM api_keys WHERE id = $1`, [keyId]);
  return rows[0].status;
}

async function leakAlertsOf(keyId: string) {
  const { rows } = await db.query<{ id: string; status: string; severity: string; occurrences: number; evidence: Record<string, unknown> }>(
    `SELECT id, status, severity, occurrences, evidence FROM alerts WHERE key_id = $1 AND type = 'leak' ORDER BY first_detected_at`,
    [keyId],
  );
  return rows;
}

async function outboxOf(keyId: string, type: string) {
  const { rows } = await db.query<{ data: Record<string, unknown>; text: string }>(
    `SELECT data, data::text AS text FROM webhook_events WHERE type = $2 AND data->>'keyId' = $1`,
    [keyId, type],
  );
  return rows;
}

beforeAll(async () => {
  keyList = await new KeyListServer().start();
  keyList.published = [github];
  api = await startApi({ KW_GITHUB_SCANNING_KEYS_URL: keyList.url });
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  workspace = await bootstrapWorkspace('leaks');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('leaky-app'), scopeCatalog: ['generation.create'] });
});

afterAll(async () => {
  await api?.stop();
  await db?.end();
  await keyList?.stop();
});

describe('POST /v1/leaks/github', () => {
  it("a leaked admin key is revoked and its console sessions are gone from the session store when the answer comes", async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('leaked-admin'), role: 'viewer' });
    const signIn = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: member.secret }) });
    const cookieValue = /^kw_console_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const stored = `kw:session:${createHash('sha256').update(cookieValue).digest('hex')}`;
    const redis = new Redis(process.env.REDIS_URL as string);
    try {
      expect(await redis.exists(stored)).toBe(1);
      const body = JSON.stringify([tokenReport(member.secret)]);
      expect((await postGithub(body, signed(github, body))).status).toBe(200);
      expect(await statusOf(member.id)).toBe('revoked');
      expect(await redis.exists(stored)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('labels a key of ours true_positive, revokes it, and opens a leak alert with key.leaked', async () => {
    const key = await newKey();
    const stranger = 'kw_live_' + 'A'.repeat(36);
    const body = JSON.stringify([tokenReport(key.secret), tokenReport(stranger)]);
    const response = await postGithub(body, signed(github, body));
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      { token_hash: sha256(key.secret), token_type: 'keywarden_api_key', label: 'true_positive' },
      { token_hash: sha256(stranger), token_type: 'keywarden_api_key', label: 'false_positive' },
    ]);
    expect(await statusOf(key.id)).toBe('revoked');
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_REVOKED');
    const [alert] = await leakAlertsOf(key.id);
    expect(alert).toMatchObject({ status: 'open', severity: 'high', occurrences: 1 });
    expect(alert.evidence).toMatchObject({
      source: 'github:content',
      url: 'https://github.com/octo/leaky/blob/main/.env',
      action: 'revoked',
      leakResponse: 'revoke',
      lastUsedAt: null,
      topIps: expect.any(Array),
      topModels: expect.any(Array),
      firstReportedAt: expect.any(String),
    });
    const [event] = await outboxOf(key.id, 'key.leaked');
    expect(event.data).toMatchObject({ keyId: key.id, alertId: alert.id, action: 'revoked', source: 'github:content' });
    expect(event.text).not.toContain(key.secret);
  });

  it('evidence names the key\'s last use and its top IPs and models of the last 24 h', async () => {
    const key = await newKey();
    for (const [ip, model] of [['203.0.113.7', 'gpt-x'], ['203.0.113.7', 'gpt-x'], ['198.51.100.1', 'embed-1']]) {
      expect((await owner.verifyKey(key.secret, { ip, model })).code).toBe('VALID');
    }
    // The usage worker writes the access log from the queue.
    await eventually(
      async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM access_log WHERE key_id = $1`, [key.id]);
        expect(rows[0].n).toBe(3);
      },
      { timeoutMs: 10_000 },
    );
    const body = JSON.stringify([tokenReport(key.secret)]);
    expect((await postGithub(body, signed(github, body))).status).toBe(200);
    const [alert] = await leakAlertsOf(key.id);
    expect(alert.evidence).toMatchObject({
      observed: 3,
      topIps: [
        { ip: '203.0.113.7', requests: 2 },
        { ip: '198.51.100.1', requests: 1 },
      ],
      topModels: [
        { model: 'gpt-x', requests: 2 },
        { model: 'embed-1', requests: 1 },
      ],
    });
    expect(alert.evidence.lastUsedAt).not.toBeNull();
  });

  it.each([
    ['unsigned', (_body: string) => ({})],
    ['signed by another key under our identifier', (body: string) => signed({ ...newSigner(github.identifier) }, body)],
    ['signature of a different body', (body: string) => signed(github, body.replace('content', 'commit'))],
    ['garbage signature', () => ({ 'Github-Public-Key-Identifier': github.identifier, 'Github-Public-Key-Signature': 'bm90IGEgc2lnbmF0dXJl' })],
  ])('%s: 401, nothing revoked', async (_label, headersOf) => {
    const key = await newKey();
    const body = JSON.stringify([tokenReport(key.secret)]);
    expectErrorEnvelope(await postGithub(body, headersOf(body)), { status: 401, code: 'UNAUTHORIZED' });
    expect(await statusOf(key.id)).toBe('active');
    expect(await leakAlertsOf(key.id)).toEqual([]);
  });

  it('each location of a secret is a report of its incident, and a live secret after a rotated-out one contains the key', async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    const at = (token: string, url: string) => ({ ...tokenReport(token), url });
    const body = JSON.stringify([at(key.secret, 'https://github.com/octo/a/blob/main/.env'), at(key.secret, 'https://github.com/octo/b/blob/main/.env'), at(rotated.secret, 'https://github.com/octo/c/blob/main/.env')]);
    expect((await postGithub(body, signed(github, body))).status).toBe(200);
    expect(await statusOf(key.id)).toBe('revoked');
    const [alert] = await leakAlertsOf(key.id);
    expect(alert.occurrences).toBe(3);
    expect((alert.evidence.reports as Array<{ url: string }>).map((report) => report.url)).toEqual([
      'https://github.com/octo/c/blob/main/.env',
      'https://github.com/octo/b/blob/main/.env',
      'https://github.com/octo/a/blob/main/.env',
    ]);
  });

  it('a report that fails after an earlier token of the same request revoked its key: that key is refused at once, and a retry is processed', async () => {
    const first = await newKey();
    const failing = await newKey();
    // Cached as valid, as a key in use is.
    expect((await owner.verifyKey(first.secret)).code).toBe('VALID');
    await db.query(
      `CREATE FUNCTION leak_test_fail() RETURNS trigger AS $$ BEGIN IF NEW.key_id = '${failing.id}' THEN RAISE EXCEPTION 'alert insert refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db.query(`CREATE TRIGGER leak_test_fail BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION leak_test_fail()`);
    const body = JSON.stringify([inThisRun(tokenReport(first.secret)), inThisRun(tokenReport(failing.secret))]);
    try {
      expectErrorEnvelope(await postGithub(body, signed(github, body)), { status: 500, code: 'INTERNAL_ERROR' });
    } finally {
      await db.query(`DROP TRIGGER leak_test_fail ON alerts; DROP FUNCTION leak_test_fail()`);
    }
    // The first report committed before the second failed: the revocation stands, on every instance now.
    expect(await statusOf(first.id)).toBe('revoked');
    expect((await owner.verifyKey(first.secret)).code).toBe('KEY_REVOKED');
    expect(await statusOf(failing.id)).toBe('active');
    // A 5xx is not remembered as received: GitHub's retry is processed.
    expect((await postGithub(body, signed(github, body))).status).toBe(200);
    expect(await statusOf(failing.id)).toBe('revoked');
  });

  it('a signed report that is not sent as JSON is refused (415) before it counts as received: sent again as JSON, it is processed', async () => {
    const key = await newKey();
    const body = JSON.stringify([tokenReport(key.secret)]);
    const headers = signed(github, body);
    expectErrorEnvelope(await postGithub(body, { ...headers, 'content-type': 'text/plain' }), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await statusOf(key.id)).toBe('active');
    expect((await postGithub(body, headers)).status).toBe(200);
    expect(await statusOf(key.id)).toBe('revoked');
  });

  it('a truncated body fails its signature: 401, nothing revoked', async () => {
    const key = await newKey();
    const body = JSON.stringify([tokenReport(key.secret)]);
    const truncated = body.slice(0, body.length - 10);
    expectErrorEnvelope(await postGithub(truncated, signed(github, body)), { status: 401, code: 'UNAUTHORIZED' });
    expect(await statusOf(key.id)).toBe('active');
  });

  it('a replayed request is refused: 401', async () => {
    const key = await newKey();
    const body = JSON.stringify([tokenReport(key.secret)]);
    const headers = signed(github, body);
    expect((await postGithub(body, headers)).status).toBe(200);
    expectErrorEnvelope(await postGithub(body, headers), { status: 401, code: 'UNAUTHORIZED', message: /already received/ });
    expect(await leakAlertsOf(key.id)).toHaveLength(1);
  });

  it.each([
    ['signed again (an ECDSA signature differs every time)', (body: string) => signed(github, body)['Github-Public-Key-Signature']],
    ['with a character base64 decoding skips', (_body: string, signature: string) => `${signature}!`],
    ['in the URL-safe base64 alphabet', (_body: string, signature: string) => signature.replace(/\+/g, '-').replace(/\//g, '_')],
  ])('a replay of the same body with its signature %s is refused: 401, one report', async (_, resigned) => {
    const key = await newKey();
    const body = JSON.stringify([tokenReport(key.secret)]);
    const headers = signed(github, body);
    expect((await postGithub(body, headers)).status).toBe(200);
    const replay = { ...headers, 'Github-Public-Key-Signature': resigned(body, headers['Github-Public-Key-Signature']) };
    expectErrorEnvelope(await postGithub(body, replay), { status: 401, code: 'UNAUTHORIZED', message: /already received/ });
    const [alert] = await leakAlertsOf(key.id);
    expect(alert.occurrences).toBe(1);
  });

  it('fetches the key list once, and not again for forged identifiers', async () => {
    const before = keyList.fetches;
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify([tokenReport('kw_live_' + 'B'.repeat(36))]);
      const forged = newSigner(`forged-${i}`);
      expect((await postGithub(body, signed(forged, body))).status).toBe(401);
    }
    // At most one refetch for all the unknown identifiers (the minimum interval holds the rest).
    expect(keyList.fetches - before).toBeLessThanOrEqual(1);
    const body = JSON.stringify([inThisRun(tokenReport('kw_live_' + 'C'.repeat(36)))]);
    expect((await postGithub(body, signed(github, body))).status).toBe(200);
    expect(keyList.fetches - before).toBeLessThanOrEqual(1);
  });

  it("without GitHub's keys the answer is 503 with Retry-After, as every 503, and the request is not remembered as received", async () => {
    const unreachable = await startApi({ KW_GITHUB_SCANNING_KEYS_URL: 'http://127.0.0.1:9/meta/public_keys/secret_scanning' });
    try {
      const key = await newKey();
      const body = JSON.stringify([inThisRun(tokenReport(key.secret))]);
      const headers = signed(github, body);
      const refused = await rawRequest(unreachable.baseUrl, '/v1/leaks/github', { method: 'POST', body, headers });
      expectErrorEnvelope(refused, { status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await statusOf(key.id)).toBe('active');
      // GitHub's retry, to an instance that has the keys, is processed.
      expect((await postGithub(body, headers)).status).toBe(200);
      expect(await statusOf(key.id)).toBe('revoked');
    } finally {
      await unreachable.stop();
    }
  });

  it('while Redis is out of reach the answer is 503 with Retry-After (the request cannot be told from a replay), and GitHub\'s retry is processed', async () => {
    const redis = await startOwnRedis();
    const own = await startApi({ REDIS_URL: redis.url, KW_GITHUB_SCANNING_KEYS_URL: keyList.url });
    try {
      const key = await newKey();
      const body = JSON.stringify([inThisRun(tokenReport(key.secret))]);
      const headers = signed(github, body);
      await redis.stop();
      const refused = await rawRequest(own.baseUrl, '/v1/leaks/github', { method: 'POST', body, headers });
      expectErrorEnvelope(refused, { status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await statusOf(key.id)).toBe('active');
      await redis.start();
      await eventually(async () => expect((await rawRequest(own.baseUrl, '/health/ready')).status).toBe(200), { timeoutMs: 20_000, intervalMs: 200 });
      expect((await rawRequest(own.baseUrl, '/v1/leaks/github', { method: 'POST', body, headers })).status).toBe(200);
      expect(await statusOf(key.id)).toBe('revoked');
    } finally {
      await redis.start();
      await own.stop();
      await redis.remove();
    }
  }, 60_000);

  it('a report that takes longer than the request deadline is answered when done, not 503 (its retry would be refused as a replay)', async () => {
    const short = await startApi({ KW_REQUEST_DEADLINE_MS: '1000', KW_GITHUB_SCANNING_KEYS_URL: keyList.url });
    const key = await newKey();
    // Many tokens of ours take as long: each is confirmed in its own transaction.
    await db.query(
      `CREATE FUNCTION leak_test_slow() RETURNS trigger AS $$ BEGIN IF NEW.key_id = '${key.id}' THEN PERFORM pg_sleep(1.5); END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db.query(`CREATE TRIGGER leak_test_slow BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION leak_test_slow()`);
    const body = JSON.stringify([inThisRun(tokenReport(key.secret))]);
    try {
      const response = await rawRequest(short.baseUrl, '/v1/leaks/github', { method: 'POST', body, headers: signed(github, body) });
      expect({ status: response.status, text: response.text }).toEqual({ status: 200, text: expect.stringContaining('"label":"true_positive"') });
    } finally {
      await db.query(`DROP TRIGGER leak_test_slow ON alerts; DROP FUNCTION leak_test_slow()`);
      await short.stop();
    }
    expect(await statusOf(key.id)).toBe('revoked');
  });

  it('tokens of other brands and with bad checksums are false positives, never looked up', async () => {
    const key = await newKey();
    const typo = key.secret.slice(0, -1) + (key.secret.endsWith('a') ? 'b' : 'a');
    const tokens = [typo, 'cw_live_' + key.secret.slice('kw_live_'.length), 'ghp_' + 'x'.repeat(36), ''];
    const body = JSON.stringify(tokens.map(tokenReport));
    const response = await postGithub(body, signed(github, body));
    expect(response.status).toBe(200);
    expect((response.json as Array<{ label: string }>).map((verdict) => verdict.label)).toEqual(tokens.map(() => 'false_positive'));
    expect(await statusOf(key.id)).toBe('active');
  });

  it('answers 10,000 tokens in one request, and refuses more with 413', async () => {
    const tokens = Array.from({ length: 10_000 }, (_, i) => inThisRun(tokenReport(`kw_live_${String(i).padStart(36, 'Z')}`)));
    const body = JSON.stringify(tokens);
    const response = await postGithub(body, signed(github, body));
    expect(response.status).toBe(200);
    expect(response.json).toHaveLength(10_000);
    const tooMany = JSON.stringify([...tokens, tokenReport('kw_live_' + 'D'.repeat(36))]);
    expectErrorEnvelope(await postGithub(tooMany, signed(github, tooMany)), { status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('a signed body that is not a token list is 400', async () => {
    const body = JSON.stringify({ token: 'x', url: RUN_URL });
    expectErrorEnvelope(await postGithub(body, signed(github, body)), { status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('POST /v1/leaks', () => {
  function report(body: object, apiKey = workspace.secret) {
    return rawRequest(api.baseUrl, '/v1/leaks', { apiKey, body: JSON.stringify(body) });
  }

  it('by key id: revokes, and reports within 24 h are one incident', async () => {
    const key = await newKey();
    const first = await owner.leaks.report({ keyId: key.id, source: 'pastebin', url: 'https://pastebin.example/abc' });
    expect(first).toEqual({
      keyId: key.id,
      alertId: expect.stringMatching(/^alrt_/),
      newIncident: true,
      leakResponse: 'revoke',
      action: 'revoked',
      // The one instance of this suite confirmed it dropped the key before the answer.
      propagation: { confirmed: true, instances: 1, acknowledged: 1 },
    });
    const second = await owner.leaks.report({ keyId: key.id, source: 'slack' });
    expect(second).toMatchObject({ alertId: first.alertId, newIncident: false });
    const alerts = await leakAlertsOf(key.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].occurrences).toBe(2);
    expect((alerts[0].evidence.reports as Array<{ source: string }>).map((r) => r.source)).toEqual(['slack', 'pastebin']);
    expect(await outboxOf(key.id, 'key.leaked')).toHaveLength(1);
    const listed = await rawRequest(api.baseUrl, `/v1/alerts?keyId=${key.id}&type=leak`, { apiKey: workspace.secret });
    expect((listed.json as { data: Array<{ id: string; type: string }> }).data).toEqual([
      expect.objectContaining({ id: alerts[0].id, type: 'leak', occurrences: 2 }),
    ]);
    const audit = await owner.audit.list({ targetId: key.id });
    // Entries of one transaction may share a millisecond: compare as a multiset.
    expect(audit.data.map((entry) => entry.action).sort()).toEqual(['key.created', 'key.leak_reported', 'key.leak_reported', 'key.revoked']);
  });

  it("a live secret reported after a rotated-out one is contained, in the same incident, with a second key.leaked", async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    const first = await report({ key: key.secret, source: 'old-paste' });
    expect(first.json).toMatchObject({ newIncident: true, action: 'none' });
    expect(await statusOf(key.id)).toBe('active');
    const second = await report({ key: rotated.secret, source: 'new-paste' });
    expect(second.json).toMatchObject({ alertId: (first.json as { alertId: string }).alertId, newIncident: false, leakResponse: 'revoke', action: 'revoked' });
    expect(await statusOf(key.id)).toBe('revoked');
    expect((await owner.verifyKey(rotated.secret)).code).toBe('KEY_REVOKED');
    expect((await outboxOf(key.id, 'key.leaked')).map(({ data }) => data.action).sort()).toEqual(['none', 'revoked']);
    expect((await leakAlertsOf(key.id))[0].evidence).toMatchObject({ action: 'revoked', leakResponse: 'revoke' });
  });

  it('a report after its incident was resolved opens a new one and applies the response again', async () => {
    const disabling = await owner.apps.create({ name: uniqueName('disabling-again'), scopeCatalog: ['generation.create'] });
    await rawRequest(api.baseUrl, `/v1/apps/${disabling.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ leakResponse: 'disable' }) });
    const key = await newKey(disabling);
    const first = await report({ keyId: key.id });
    expect(first.json).toMatchObject({ newIncident: true, action: 'disabled' });
    await owner.keys.enable(key.id);
    await owner.alerts.resolve((first.json as { alertId: string }).alertId);
    const second = await report({ keyId: key.id });
    expect(second.json).toMatchObject({ newIncident: true, action: 'disabled' });
    expect((second.json as { alertId: string }).alertId).not.toBe((first.json as { alertId: string }).alertId);
    expect(await statusOf(key.id)).toBe('disabled');
    expect((await leakAlertsOf(key.id)).map((alert) => alert.status).sort()).toEqual(['open', 'resolved']);
  });

  it("a canary's leak stays the platform's: its alert and key.leaked name no customer, so the customer's endpoints and portal never see them", async () => {
    const customer = await owner.customers.create({ externalId: uniqueName('acct') });
    const canary = await owner.keys.create({ appId: app.id, name: uniqueName('decoy'), environment: 'live', scopes: ['generation.create'], customerId: customer.id, canary: true });
    expect((await report({ keyId: canary.id })).json).toMatchObject({ newIncident: true, action: 'revoked' });
    const { rows: alerts } = await db.query<{ customer_id: string | null }>(`SELECT customer_id FROM alerts WHERE key_id = $1 AND type = 'leak'`, [canary.id]);
    expect(alerts).toEqual([{ customer_id: null }]);
    const { rows: events } = await db.query<{ type: string; customer_id: string | null }>(
      `SELECT type, customer_id FROM webhook_events WHERE data->>'keyId' = $1 AND type IN ('key.leaked', 'key.revoked') ORDER BY type`,
      [canary.id],
    );
    expect(events).toEqual([{ type: 'key.leaked', customer_id: null }, { type: 'key.revoked', customer_id: null }]);
  });

  it('by the key itself, with the app set to disable: the key is disabled, not revoked', async () => {
    const disabling = await owner.apps.create({ name: uniqueName('disabling'), scopeCatalog: ['generation.create'] });
    expect((await rawRequest(api.baseUrl, `/v1/apps/${disabling.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ leakResponse: 'disable' }) })).json).toMatchObject({ leakResponse: 'disable' });
    const key = await newKey(disabling);
    expect((await report({ key: key.secret })).json).toMatchObject({ action: 'disabled', leakResponse: 'disable' });
    expect(await statusOf(key.id)).toBe('disabled');
  });

  it('with the app set to notify: the alert opens, the key keeps working', async () => {
    const notifying = await owner.apps.create({ name: uniqueName('notifying'), scopeCatalog: ['generation.create'] });
    await rawRequest(api.baseUrl, `/v1/apps/${notifying.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ leakResponse: 'notify' }) });
    const key = await newKey(notifying);
    expect((await report({ keyId: key.id })).json).toMatchObject({ action: 'none', leakResponse: 'notify', newIncident: true });
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    expect(await leakAlertsOf(key.id)).toHaveLength(1);
  });

  it('a source or URL quoting the key is stored, audited and sent with the key withheld, while the key keeps working under notify', async () => {
    const notifying = await owner.apps.create({ name: uniqueName('notify-quoted'), scopeCatalog: ['generation.create'] });
    await rawRequest(api.baseUrl, `/v1/apps/${notifying.id}`, { method: 'PATCH', apiKey: workspace.secret, body: JSON.stringify({ leakResponse: 'notify' }) });
    const key = await newKey(notifying);
    const answer = await report({ key: key.secret, source: `support ticket quoting ${key.secret}`, url: `https://paste.example/raw?api_key=${key.secret}` });
    expect(answer.json).toMatchObject({ action: 'none', newIncident: true });
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    const [event] = await outboxOf(key.id, 'key.leaked');
    expect(event.data).toMatchObject({ source: 'support ticket quoting [redacted]', url: 'https://paste.example/raw?api_key=[redacted]' });
    expect(event.text).not.toContain(key.secret);
    const [alert] = await leakAlertsOf(key.id);
    expect(JSON.stringify(alert.evidence)).not.toContain(key.secret);
    expect(alert.evidence).toMatchObject({ url: 'https://paste.example/raw?api_key=[redacted]' });
    const audit = await owner.audit.list({ targetId: key.id });
    expect(audit.data.map((entry) => entry.action)).toContain('key.leak_reported');
    expect(JSON.stringify(audit.data)).not.toContain(key.secret);
  });

  it('a GitHub report whose URL quotes the token keeps it out of the evidence and the event', async () => {
    const key = await newKey();
    const body = JSON.stringify([{ ...inThisRun(tokenReport(key.secret)), url: `${RUN_URL}?token=${key.secret}` }]);
    expect((await postGithub(body, signed(github, body))).status).toBe(200);
    const [event] = await outboxOf(key.id, 'key.leaked');
    expect(event.data).toMatchObject({ url: `${RUN_URL}?token=[redacted]` });
    expect(event.text).not.toContain(key.secret);
    expect(JSON.stringify((await leakAlertsOf(key.id))[0].evidence)).not.toContain(key.secret);
  });

  it('keys of another workspace are unknown (404), and stay active', async () => {
    const other = await bootstrapWorkspace('leaks-other');
    const otherOwner = client(api.baseUrl, other.secret);
    const otherApp = await otherOwner.apps.create({ name: uniqueName('other-app') });
    const foreign = await otherOwner.keys.create({ appId: otherApp.id, name: 'theirs', environment: 'live', scopes: ['x.read'] });
    expectErrorEnvelope(await report({ keyId: foreign.id }), { status: 404, code: 'NOT_FOUND' });
    const bySecret = await report({ key: foreign.secret });
    expectErrorEnvelope(bySecret, { status: 404, code: 'NOT_FOUND' });
    expect(bySecret.text).not.toContain(foreign.secret);
    expect(await statusOf(foreign.id)).toBe('active');
  });

  it('needs keys.revoke (403) and exactly one of key and keyId (400)', async () => {
    const developer = await owner.adminKeys.create({ name: uniqueName('dev'), role: 'developer' });
    const key = await newKey();
    expectErrorEnvelope(await report({ keyId: key.id }, developer.secret), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expectErrorEnvelope(await report({}), { status: 400, code: 'VALIDATION_FAILED' });
    expectErrorEnvelope(await report({ key: key.secret, keyId: key.id }), { status: 400, code: 'VALIDATION_FAILED' });
    expectErrorEnvelope(await report({ keyId: key.id, extra: 1 }), { status: 400, code: 'VALIDATION_FAILED' });
    expect(await statusOf(key.id)).toBe('active');
  });
});

describe('KW_REQUIRE_HTTPS', () => {
  let strict: ApiProcess;
  let behindProxy: ApiProcess;

  beforeAll(async () => {
    [strict, behindProxy] = await Promise.all([
      startApi({ KW_REQUIRE_HTTPS: 'true' }),
      startApi({ KW_REQUIRE_HTTPS: 'true', KW_TRUST_PROXY: 'true' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([strict?.stop(), behindProxy?.stop()]);
  });

  it('refuses plain HTTP with 403 HTTPS_REQUIRED, and sends HSTS', async () => {
    const response = await rawRequest(strict.baseUrl, '/v1/me', { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 403, code: 'HTTPS_REQUIRED' });
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('ignores X-Forwarded-Proto unless the proxy is trusted', async () => {
    const spoofed = await rawRequest(strict.baseUrl, '/v1/me', { apiKey: workspace.secret, headers: { 'x-forwarded-proto': 'https' } });
    expectErrorEnvelope(spoofed, { status: 403, code: 'HTTPS_REQUIRED' });
    const proxied = await rawRequest(behindProxy.baseUrl, '/v1/me', { apiKey: workspace.secret, headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expectErrorEnvelope(await rawRequest(behindProxy.baseUrl, '/v1/me', { apiKey: workspace.secret, headers: { 'x-forwarded-proto': 'http' } }), {
      status: 403,
      code: 'HTTPS_REQUIRED',
    });
  });

  it('leaves the health probes reachable over plain HTTP', async () => {
    expect((await rawRequest(strict.baseUrl, '/health/live')).status).toBe(200);
  });
});
