import { randomBytes } from 'node:crypto';
import type { App, AppKey, BulkKeysResponse, Keywarden, WithSecret } from '@keywarden/sdk';
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
 * Bulk key operations (POST /v1/keys/bulk), offboarding (DELETE /v1/admin-keys/:id?cascade=)
 * and the stale-keys list filter, against the real API and database.
 */

let api: ApiProcess;
let db: Client;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

type BulkAnswer = BulkKeysResponse;

function bulk(body: object, options: { apiKey?: string; idempotencyKey?: string } = {}) {
  return rawRequest(api.baseUrl, '/v1/keys/bulk', {
    apiKey: options.apiKey ?? workspace.secret,
    body: JSON.stringify(body),
    headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {},
  });
}

async function bulkOk(body: object, options: { apiKey?: string; idempotencyKey?: string } = {}): Promise<BulkAnswer> {
  const response = await bulk(body, options);
  expect({ status: response.status, text: response.text.slice(0, 300) }).toMatchObject({ status: 200 });
  return response.json as BulkAnswer;
}

function newKey(group: string, via: Keywarden = owner): Promise<AppKey & WithSecret> {
  return via.keys.create({ appId: app.id, name: uniqueName('bulk'), environment: 'live', scopes: ['generation.create'], group });
}

async function statuses(ids: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string; status: string }>(`SELECT id, status FROM api_keys WHERE id = ANY($1) ORDER BY id`, [ids]);
  return rows.map((row) => row.status);
}

/** Many keys at once, written straight to the database (secrets nobody holds). */
async function insertKeys(count: number, group: string): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `key_${Date.now().toString(36).padStart(10, '0')}${randomBytes(8).toString('hex')}`.slice(0, 30) + String(i % 10));
  await db.query(
    `INSERT INTO api_keys (id, workspace_id, kind, app_id, environment, name, "group", scopes, metadata, status, created_by)
     SELECT id, $2, 'app', $3, 'live', 'seeded', $4, '{generation.create}', '{}', 'active', $5 FROM unnest($1::text[]) AS id`,
    [ids, workspace.workspaceId, app.id, group, workspace.keyId],
  );
  return ids;
}

beforeAll(async () => {
  api = await startApi();
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  workspace = await bootstrapWorkspace('bulk');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('bulk-app'), scopeCatalog: ['generation.create'] });
});

afterAll(async () => {
  await api?.stop();
  await db?.end();
});

describe('POST /v1/keys/bulk', () => {
  it('a dry run counts and lists the matched keys and changes nothing', async () => {
    const group = uniqueName('g').slice(0, 30).toLowerCase();
    const keys = await Promise.all([newKey(group), newKey(group)]);
    const answer = await owner.keys.bulk({ filter: { group }, action: 'revoke', dryRun: true });
    expect(answer).toMatchObject({ dryRun: true, matched: 2, changed: 0 });
    expect(answer.keyIds.sort()).toEqual(keys.map((key) => key.id).sort());
    expect(await statuses(answer.keyIds)).toEqual(['active', 'active']);
  });

  it('revokes every matched key: refused by verify, one audit entry and one key.revoked per key, one for the operation', async () => {
    const group = uniqueName('r').slice(0, 30).toLowerCase();
    const keys = await Promise.all([newKey(group), newKey(group), newKey(group)]);
    const answer = await owner.keys.bulk({ filter: { group }, action: 'revoke' });
    expect(answer).toMatchObject({ dryRun: false, matched: 3, changed: 3 });
    for (const key of keys) expect((await owner.verifyKey(key.secret)).code).toBe('KEY_REVOKED');
    const { rows: audit } = await db.query(
      `SELECT action, target_id FROM audit_log WHERE details->>'bulkOperationId' = $1 OR target_id = $1`,
      [answer.operationId],
    );
    expect(audit.filter((entry) => entry.action === 'key.revoked').map((entry) => entry.target_id).sort()).toEqual(keys.map((key) => key.id).sort());
    expect(audit.filter((entry) => entry.action === 'keys.bulk')).toHaveLength(1);
    const { rows: events } = await db.query(`SELECT data->>'keyId' AS "keyId" FROM webhook_events WHERE type = 'key.revoked' AND data->>'keyId' = ANY($1)`, [
      keys.map((key) => key.id),
    ]);
    expect(events).toHaveLength(3);
    // Repeating it changes nothing more.
    expect(await bulkOk({ filter: { group }, action: 'revoke' })).toMatchObject({ matched: 3, changed: 0 });
  });

  it('works through many keys in chunks', async () => {
    const group = uniqueName('c').slice(0, 30).toLowerCase();
    const ids = await insertKeys(1_200, group);
    const answer = await bulkOk({ filter: { group }, action: 'disable' });
    expect(answer).toMatchObject({ matched: 1_200, changed: 1_200 });
    expect(answer.keyIds).toHaveLength(1_000);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM api_keys WHERE id = ANY($1) AND status = 'disabled'`, [ids]);
    expect(rows[0].n).toBe(1_200);
    const { rows: audit } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE details->>'bulkOperationId' = $1`, [answer.operationId]);
    expect(audit[0].n).toBe(1_200);
    expect(await bulkOk({ filter: { group }, action: 'enable' })).toMatchObject({ matched: 1_200, changed: 1_200 });
  });

  it('refuses to rotate more than 1,000 keys at once, in a dry run too', async () => {
    const group = uniqueName('r').slice(0, 30).toLowerCase();
    await insertKeys(1_001, group);
    for (const dryRun of [true, false]) {
      expectErrorEnvelope(await bulk({ filter: { group }, action: 'rotate', dryRun }), {
        status: 400,
        code: 'VALIDATION_FAILED',
        message: /matches 1001 keys; rotate at most 1000 at once/,
      });
    }
  });

  it('refuses an action without any filter', async () => {
    expectErrorEnvelope(await bulk({ action: 'revoke' }), { status: 400, code: 'VALIDATION_FAILED' });
    const empty = await bulk({ filter: {}, action: 'revoke' });
    expectErrorEnvelope(empty, { status: 400, code: 'VALIDATION_FAILED', message: /filter|Request validation failed/ });
  });

  it('a filter matching nothing matches nothing; one matching everything shows its count in a dry run', async () => {
    expect(await bulkOk({ filter: { group: 'nobody-has-this-group' }, action: 'revoke' })).toMatchObject({ matched: 0, changed: 0, keyIds: [] });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE workspace_id = $1 AND kind = 'app' AND NOT canary AND status = 'active' AND (expires_at IS NULL OR expires_at > now())`,
      [workspace.workspaceId],
    );
    expect(await bulkOk({ filter: { status: 'active' }, action: 'revoke', dryRun: true })).toMatchObject({ matched: rows[0].n, changed: 0 });
  });

  it('an Idempotency-Key makes a retry return the first answer, and refuses reuse for another request', async () => {
    const group = uniqueName('i').slice(0, 30).toLowerCase();
    await Promise.all([newKey(group), newKey(group)]);
    const idempotencyKey = uniqueName('op');
    const first = await bulkOk({ filter: { group }, action: 'disable' }, { idempotencyKey });
    const retry = await bulkOk({ action: 'disable', filter: { group } }, { idempotencyKey });
    expect(retry).toEqual(first);
    expect(first.changed).toBe(2);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'keys.bulk' AND target_id = $1`, [first.operationId]);
    expect(rows[0].n).toBe(1);
    expectErrorEnvelope(await bulk({ filter: { group }, action: 'enable' }, { idempotencyKey }), { status: 409, code: 'CONFLICT' });
  });

  it('a retry that spells the same request differently (dryRun: false, ids in another order) gets the first answer', async () => {
    const group = uniqueName('i').slice(0, 30).toLowerCase();
    const ids = (await Promise.all([newKey(group), newKey(group)])).map((key) => key.id);
    const idempotencyKey = uniqueName('op');
    const first = await bulkOk({ filter: { ids }, action: 'disable' }, { idempotencyKey });
    const retry = await bulkOk({ filter: { ids: [...ids].reverse() }, action: 'disable', dryRun: false }, { idempotencyKey });
    expect(retry).toEqual(first);
  });

  it("another admin key reusing an Idempotency-Key gets a 409, never the first caller's answer", async () => {
    const group = uniqueName('x').slice(0, 30).toLowerCase();
    const otherApp = await owner.apps.create({ name: uniqueName('bulk-other'), scopeCatalog: ['generation.create'] });
    await Promise.all([newKey(group), owner.keys.create({ appId: otherApp.id, name: uniqueName('bulk'), environment: 'live', scopes: ['generation.create'], group })]);
    const limited = await owner.adminKeys.create({ name: uniqueName('limited'), role: 'admin', appIds: [otherApp.id] });
    const idempotencyKey = uniqueName('op');
    const first = await bulkOk({ filter: { group }, action: 'disable' }, { idempotencyKey });
    expect(first.changed).toBe(2);
    const reused = await bulk({ filter: { group }, action: 'disable' }, { apiKey: limited.secret, idempotencyKey });
    expectErrorEnvelope(reused, { status: 409, code: 'CONFLICT', message: /another API key/ });
    expect(reused.text).not.toContain(first.operationId);
  });

  it("the SDK's keys.bulk sends its idempotencyKey as the Idempotency-Key header", async () => {
    const group = uniqueName('s').slice(0, 30).toLowerCase();
    await Promise.all([newKey(group), newKey(group)]);
    const idempotencyKey = uniqueName('op');
    const first = await owner.keys.bulk({ filter: { group }, action: 'disable' }, { idempotencyKey });
    expect(first).toMatchObject({ dryRun: false, matched: 2, changed: 2 });
    expect(await owner.keys.bulk({ filter: { group }, action: 'disable' }, { idempotencyKey })).toEqual(first);
    await expect(owner.keys.bulk({ filter: { group }, action: 'enable' }, { idempotencyKey })).rejects.toMatchObject({
      status: 409,
      code: 'CONFLICT',
    });
  });

  it('rotates with a grace period, answering each new secret once', async () => {
    const group = uniqueName('o').slice(0, 30).toLowerCase();
    const keys = await Promise.all([newKey(group), newKey(group)]);
    const answer = await bulkOk({ filter: { group }, action: 'rotate', gracePeriodSeconds: 3600 });
    expect(answer.changed).toBe(2);
    for (const key of keys) {
      const secret = (answer.secrets as Record<string, string>)[key.id];
      expect((await owner.verifyKey(secret)).code).toBe('VALID');
      expect((await owner.verifyKey(key.secret)).code).toBe('VALID'); // within grace
    }
    const immediate = await bulkOk({ filter: { group }, action: 'rotate', gracePeriodSeconds: 0 });
    for (const key of keys) {
      expect((await owner.verifyKey((answer.secrets as Record<string, string>)[key.id])).code).toBe('KEY_REVOKED');
      expect((await owner.verifyKey((immediate.secrets as Record<string, string>)[key.id])).code).toBe('VALID');
    }
  });

  it('rotate leaves expired and revoked keys as they were and names each under skipped with why, as its dry run foretold', async () => {
    const group = uniqueName('x').slice(0, 30).toLowerCase();
    const [live, expired, revoked] = await Promise.all([newKey(group), newKey(group), newKey(group)]);
    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
    await owner.keys.revoke(revoked.id);
    const dryRun = await bulkOk({ filter: { group }, action: 'rotate', gracePeriodSeconds: 0, dryRun: true });
    const answer = await bulkOk({ filter: { group }, action: 'rotate', gracePeriodSeconds: 0 });
    expect(dryRun.skipped).toEqual(answer.skipped);
    expect(answer).toMatchObject({ matched: 3, changed: 1 });
    expect(Object.keys(answer.secrets as Record<string, string>)).toEqual([live.id]);
    expect(answer.skipped).toEqual({
      [expired.id]: 'Key has expired: a rotation would issue a secret that never verifies; set a later expiresAt or create a new key',
      [revoked.id]: 'Key is revoked; revocation is irreversible',
    });
    expect((await owner.keys.get(expired.id)).secrets).toEqual([expect.objectContaining({ prefix: expired.prefix, current: true, expiresAt: null })]);
    const { rows } = await db.query(`SELECT target_id FROM audit_log WHERE target_id = ANY($1) AND action = 'key.rotated'`, [[expired.id, revoked.id]]);
    expect(rows).toEqual([]);
  });

  describe('every action names the matched keys it leaves as they are under skipped, with why, as its dry run foretold', () => {
    /** A group of an active, a disabled and a revoked key, the active one expiring at `expiresAt`. */
    async function mixedGroup(expiresAt: string | null = null) {
      const group = uniqueName('s').slice(0, 30).toLowerCase();
      const [active, disabled, revoked] = await Promise.all([newKey(group), newKey(group), newKey(group)]);
      if (expiresAt !== null) await owner.keys.update(active.id, { expiresAt });
      await owner.keys.disable(disabled.id);
      await owner.keys.revoke(revoked.id);
      return { group, active, disabled, revoked };
    }

    /** The dry run's answer, then the real run's, which must name the same keys for the same reasons. */
    async function runBoth(body: object): Promise<BulkAnswer> {
      const dryRun = await bulkOk({ ...body, dryRun: true });
      const answer = await bulkOk(body);
      expect(dryRun.skipped).toEqual(answer.skipped);
      return answer;
    }

    it('disable: the revoked key (irreversible) and the key already disabled', async () => {
      const { group, active, disabled, revoked } = await mixedGroup();
      const answer = await runBoth({ filter: { group }, action: 'disable' });
      expect(answer).toMatchObject({ matched: 3, changed: 1 });
      expect(answer.skipped).toEqual({ [disabled.id]: 'Key is already disabled', [revoked.id]: 'Key is revoked; revocation is irreversible' });
      expect(await statuses([active.id])).toEqual(['disabled']);
    });

    it('enable: the revoked key (irreversible) and the key already enabled', async () => {
      const { group, active, disabled, revoked } = await mixedGroup();
      const answer = await runBoth({ filter: { group }, action: 'enable' });
      expect(answer).toMatchObject({ matched: 3, changed: 1 });
      expect(answer.skipped).toEqual({ [active.id]: 'Key is already enabled', [revoked.id]: 'Key is revoked; revocation is irreversible' });
      expect(await statuses([disabled.id])).toEqual(['active']);
    });

    it('expire: the revoked key (no longer changeable) and the key that already has that expiry', async () => {
      const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const { group, active, disabled, revoked } = await mixedGroup(expiresAt);
      const answer = await runBoth({ filter: { group }, action: 'expire', expiresAt });
      expect(answer).toMatchObject({ matched: 3, changed: 1 });
      expect(answer.skipped).toEqual({ [active.id]: `Key already expires at ${expiresAt}`, [revoked.id]: 'Key is revoked and can no longer be changed' });
      expect((await owner.keys.get(disabled.id)).expiresAt).toBe(expiresAt);
      expect((await owner.keys.get(revoked.id)).expiresAt).toBeNull();
    });

    it('revoke: the key already revoked', async () => {
      const { group, revoked } = await mixedGroup();
      const answer = await runBoth({ filter: { group }, action: 'revoke' });
      expect(answer).toMatchObject({ matched: 3, changed: 2 });
      expect(answer.skipped).toEqual({ [revoked.id]: 'Key is already revoked' });
    });

    it('an action that changes every matched key answers an empty skipped', async () => {
      const group = uniqueName('s').slice(0, 30).toLowerCase();
      await Promise.all([newKey(group), newKey(group)]);
      expect(await runBoth({ filter: { group }, action: 'disable' })).toMatchObject({ matched: 2, changed: 2, skipped: {} });
    });
  });

  it('sets and clears an expiry', async () => {
    const group = uniqueName('e').slice(0, 30).toLowerCase();
    const [key] = await Promise.all([newKey(group)]);
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    expect(await bulkOk({ filter: { ids: [key.id] }, action: 'expire', expiresAt })).toMatchObject({ changed: 1 });
    expect((await owner.keys.get(key.id)).expiresAt).toBe(expiresAt);
    expect(await bulkOk({ filter: { ids: [key.id] }, action: 'expire', expiresAt: null })).toMatchObject({ changed: 1 });
    expect((await owner.keys.get(key.id)).expiresAt).toBeNull();
    expectErrorEnvelope(await bulk({ filter: { ids: [key.id] }, action: 'expire' }), { status: 400, code: 'VALIDATION_FAILED' });
    expectErrorEnvelope(await bulk({ filter: { ids: [key.id] }, action: 'expire', expiresAt: '2001-01-01T00:00:00Z' }), { status: 400, code: 'VALIDATION_FAILED' });
  });

  it("filters by customer: only that customer's keys match", async () => {
    const [alice, bob] = await Promise.all([
      owner.customers.create({ externalId: uniqueName('alice'), name: 'Alice' }),
      owner.customers.create({ externalId: uniqueName('bob'), name: 'Bob' }),
    ]);
    const create = (customerId: string) =>
      owner.keys.create({ appId: app.id, name: uniqueName('bulk'), environment: 'live', scopes: ['generation.create'], customerId });
    const aliceKeys = await Promise.all([create(alice.id), create(alice.id)]);
    const bobKey = await create(bob.id);
    const answer = await bulkOk({ filter: { customerId: alice.id }, action: 'disable' });
    expect(answer).toMatchObject({ matched: 2, changed: 2 });
    expect(answer.keyIds.sort()).toEqual(aliceKeys.map((key) => key.id).sort());
    expect(await statuses([bobKey.id])).toEqual(['active']);
    expectErrorEnvelope(await bulk({ filter: { customerId: 'alice' }, action: 'disable' }), { status: 400, code: 'VALIDATION_FAILED', message: /customerId/ });
  });

  it('filters by last use: neverUsed and lastUsedBefore', async () => {
    const group = uniqueName('u').slice(0, 30).toLowerCase();
    const [used, unused] = await Promise.all([newKey(group), newKey(group)]);
    expect((await owner.verifyKey(used.secret)).code).toBe('VALID');
    await eventually(async () => expect((await owner.keys.get(used.id)).lastUsedAt).not.toBeNull(), { timeoutMs: 10_000 });
    expect((await bulkOk({ filter: { group, neverUsed: true }, action: 'disable', dryRun: true })).keyIds).toEqual([unused.id]);
    expect((await bulkOk({ filter: { group, neverUsed: false }, action: 'disable', dryRun: true })).keyIds).toEqual([used.id]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await bulkOk({ filter: { group, lastUsedBefore: future }, action: 'disable', dryRun: true })).keyIds).toEqual([used.id]);
    expect((await bulkOk({ filter: { group, lastUsedBefore: '2001-01-01T00:00:00Z' }, action: 'disable', dryRun: true })).matched).toBe(0);
  });

  it('never selects canaries by conditions, nor keys of another workspace by id', async () => {
    const group = uniqueName('n').slice(0, 30).toLowerCase();
    const canary = await rawRequest(api.baseUrl, '/v1/keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ appId: app.id, name: 'decoy', environment: 'live', scopes: ['generation.create'], group, canary: true }),
    });
    const ordinary = await newKey(group);
    expect((await bulkOk({ filter: { group }, action: 'revoke', dryRun: true })).keyIds).toEqual([ordinary.id]);
    expect((await bulkOk({ filter: { ids: [(canary.json as { id: string }).id] }, action: 'revoke', dryRun: true })).matched).toBe(1);

    const other = await bootstrapWorkspace('bulk-other');
    const otherOwner = client(api.baseUrl, other.secret);
    const otherApp = await otherOwner.apps.create({ name: uniqueName('theirs') });
    const foreign = await otherOwner.keys.create({ appId: otherApp.id, name: 'theirs', environment: 'live', scopes: ['x.read'] });
    expect(await bulkOk({ filter: { ids: [foreign.id] }, action: 'revoke' })).toMatchObject({ matched: 0, changed: 0 });
    expect(await statuses([foreign.id])).toEqual(['active']);
  });

  it('revoke needs keys.revoke; other actions keys.write', async () => {
    const developer = await owner.adminKeys.create({ name: uniqueName('dev'), role: 'developer' });
    const viewer = await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    const group = uniqueName('s').slice(0, 30).toLowerCase();
    await newKey(group);
    expectErrorEnvelope(await bulk({ filter: { group }, action: 'revoke' }, { apiKey: developer.secret }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /keys\.revoke/ });
    expect(await bulkOk({ filter: { group }, action: 'disable' }, { apiKey: developer.secret })).toMatchObject({ changed: 1 });
    expectErrorEnvelope(await bulk({ filter: { group }, action: 'disable' }, { apiKey: viewer.secret }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it.each([
    ['an unknown action', { filter: { group: 'x' }, action: 'delete' }],
    ['a malformed id', { filter: { ids: ['nope'] }, action: 'revoke' }],
    ['a bad date', { filter: { lastUsedBefore: 'yesterday' }, action: 'revoke' }],
    ['grace on a revoke', { filter: { group: 'x' }, action: 'revoke', gracePeriodSeconds: 10 }],
    ['an unknown filter field', { filter: { group: 'x', colour: 'red' }, action: 'revoke' }],
  ])('refuses %s with 400', async (_label, body) => {
    expectErrorEnvelope(await bulk(body), { status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('offboarding: DELETE /v1/admin-keys/:id?cascade=', () => {
  it('cascade=revoke revokes the member key and every app key it created, and nothing else', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'admin' });
    const asMember = client(api.baseUrl, member.secret);
    const theirs = await Promise.all([newKey('leaver', asMember), newKey('leaver', asMember)]);
    const mine = await newKey('stayer');
    const revoked = await owner.adminKeys.revoke(member.id, { cascade: 'revoke' });
    expect(revoked).toMatchObject({ id: member.id, status: 'revoked', cascade: { action: 'revoke', matched: 2, changed: 2 } });
    expect(await statuses(theirs.map((key) => key.id))).toEqual(['revoked', 'revoked']);
    expect(await statuses([mine.id])).toEqual(['active']);
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/me', { apiKey: member.secret }), { status: 401, code: 'KEY_REVOKED' });
  });

  it('cascade=disable disables them (reversible); without cascade the keys stay', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'admin' });
    const asMember = client(api.baseUrl, member.secret);
    const [key] = await Promise.all([newKey('leaver', asMember)]);
    expect(await owner.adminKeys.revoke(member.id, { cascade: 'disable' })).toMatchObject({ cascade: { action: 'disable', changed: 1 } });
    expect(await statuses([key.id])).toEqual(['disabled']);

    const other = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'admin' });
    const [kept] = await Promise.all([newKey('leaver', client(api.baseUrl, other.secret))]);
    const plain = await owner.adminKeys.revoke(other.id);
    expect(plain).toMatchObject({ id: other.id, status: 'revoked' });
    expect(plain).not.toHaveProperty('cascade');
    expect(await statuses([kept.id])).toEqual(['active']);
  });

  it('refuses an unknown cascade', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'viewer' });
    const response = await rawRequest(api.baseUrl, `/v1/admin-keys/${member.id}?cascade=delete`, { method: 'DELETE', apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('stale keys: GET /v1/keys?unusedForDays=', () => {
  it('lists keys unused (or, never used, created) at least that many days ago', async () => {
    const group = uniqueName('t').slice(0, 30).toLowerCase();
    const [old, recent, oldButUsed] = await Promise.all([newKey(group), newKey(group), newKey(group)]);
    await db.query(`UPDATE api_keys SET created_at = now() - interval '120 days' WHERE id = ANY($1)`, [[old.id, oldButUsed.id]]);
    await db.query(`UPDATE api_keys SET last_used_at = now() - interval '2 days' WHERE id = $1`, [oldButUsed.id]);
    const response = await rawRequest(api.baseUrl, `/v1/keys?group=${group}&unusedForDays=90`, { apiKey: workspace.secret });
    expect((response.json as { data: Array<{ id: string }> }).data.map((key) => key.id)).toEqual([old.id]);
    expect(recent.id).toBeDefined();
    expectErrorEnvelope(await rawRequest(api.baseUrl, `/v1/keys?unusedForDays=0`, { apiKey: workspace.secret }), { status: 400, code: 'VALIDATION_FAILED' });
  });
});
