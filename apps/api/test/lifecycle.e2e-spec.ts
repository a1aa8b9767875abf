import { generateKey, ROLE_SCOPES } from '@keywarden/core';
import type { App, AppKey, CreateKeyRequest, Keywarden, WithSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  issuedSecrets,
  KEY_SHAPE,
  rawRequest,
  registerSecret,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

const CATALOG = ['generation.create', 'embeddings.create', 'vector.search'];

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

async function newKey(overrides: Partial<CreateKeyRequest> = {}): Promise<AppKey & WithSecret> {
  return owner.keys.create({
    appId: app.id,
    name: uniqueName('key'),
    environment: 'live',
    scopes: ['generation.create'],
    ...overrides,
  });
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('lifecycle');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await api?.stop();
});

describe('bootstrap key and apps', () => {
  it('the bootstrap key identifies itself on /v1/me as the workspace owner', async () => {
    const me = await owner.me();
    expect(me).toEqual({
      keyId: workspace.keyId,
      kind: 'admin',
      workspaceId: workspace.workspaceId,
      name: expect.any(String),
      prefix: workspace.secret.slice(0, 'kw_admin_'.length + 4),
      scopes: ['*'],
      appIds: null,
      environment: 'admin',
      expiresAt: null,
    });
  });

  it('an app is created with its scope catalog and the default environments', async () => {
    expect(app).toMatchObject({ scopeCatalog: CATALOG, environments: ['live', 'test'], timezone: 'UTC' });
    expect(await owner.apps.get(app.id)).toEqual(app);
  });
});

describe('creating a key', () => {
  it('answers the secret once, with a 12-character kw_live_ display prefix', async () => {
    const key = await newKey();
    expect(key.secret).toMatch(/^kw_live_[0-9A-Za-z]{36}$/);
    expect(key.prefix).toHaveLength(12);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    expect(key).toMatchObject({
      appId: app.id,
      environment: 'live',
      status: 'active',
      scopes: ['generation.create'],
      createdBy: workspace.keyId,
      lastUsedAt: null,
      secrets: [{ prefix: key.prefix, expiresAt: null, current: true, createdAt: expect.any(String) }],
    });
  });

  it('never returns the secret again from GET or list', async () => {
    const key = await newKey();
    const fetched = await owner.keys.get(key.id);
    expect(fetched).not.toHaveProperty('secret');
    expect(JSON.stringify(fetched)).not.toContain(key.secret);
    const page = await owner.keys.list({ appId: app.id, limit: 100 });
    const listed = page.data.find((item) => item.id === key.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('secret');
    expect(JSON.stringify(page)).not.toMatch(new RegExp(KEY_SHAPE.source));
  });
});

describe('verify', () => {
  it('answers VALID with the key identity for a scope the key holds', async () => {
    const key = await newKey({ scopes: ['generation.create', 'vector.search'] });
    expect(await owner.verifyKey(key.secret, { scope: 'vector.search' })).toEqual({
      valid: true,
      code: 'VALID',
      keyId: key.id,
      appId: app.id,
      env: 'live',
      scopes: ['generation.create', 'vector.search'],
      expiresAt: null,
    });
  });

  it('gives, for the secret a rotation replaced, when its grace ends as the time it stops verifying', async () => {
    const key = await newKey({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const before = Date.now();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 600 });

    const old = await owner.verifyKey(key.secret);
    expect(old.code).toBe('VALID');
    expect(Date.parse(old.expiresAt as string)).toBeGreaterThanOrEqual(before + 600_000 - 1_000);
    expect(Date.parse(old.expiresAt as string)).toBeLessThanOrEqual(Date.now() + 600_000 + 1_000);
    expect((await owner.verifyKey(rotated.secret)).expiresAt).toBe(key.expiresAt);
  });

  it('answers INSUFFICIENT_PERMISSIONS for a scope outside the app catalog', async () => {
    const key = await newKey();
    const answer = await owner.verifyKey(key.secret, { scope: 'billing.read' });
    expect(answer).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS', keyId: key.id });
  });

  it('answers INSUFFICIENT_PERMISSIONS for a catalog scope the key was not given', async () => {
    const key = await newKey({ scopes: ['generation.create'] });
    expect(await owner.verifyKey(key.secret, { scope: 'embeddings.create' })).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('records lastUsedAt after a successful verify (written by the worker from the usage event)', async () => {
    const key = await newKey();
    expect((await owner.keys.get(key.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    const used = await eventually(
      async () => {
        const fetched = await owner.keys.get(key.id);
        expect(fetched.lastUsedAt).not.toBeNull();
        return fetched;
      },
      { timeoutMs: 8_000, intervalMs: 250 },
    );
    // One second of slack for the server's clock against ours.
    expect(Date.parse(used.lastUsedAt as string)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(used.lastUsedAt as string)).toBeLessThanOrEqual(Date.now() + 1_000);
  });
});

describe('listing keys', () => {
  let listApp: App;
  let otherApp: App;
  const ids: Record<string, string> = {};
  const groupA = `ga-${Date.now().toString(36)}`;
  const groupB = `gb-${Date.now().toString(36)}`;

  beforeAll(async () => {
    listApp = await owner.apps.create({ name: uniqueName('list-app'), scopeCatalog: CATALOG });
    otherApp = await owner.apps.create({ name: uniqueName('other-app'), scopeCatalog: CATALOG });
    const base = { name: 'listed', scopes: ['generation.create'] };
    ids.liveA = (await owner.keys.create({ ...base, appId: listApp.id, environment: 'live', group: groupA })).id;
    ids.testB = (await owner.keys.create({ ...base, appId: listApp.id, environment: 'test', group: groupB })).id;
    ids.disabled = (await owner.keys.create({ ...base, appId: listApp.id, environment: 'live', group: groupB })).id;
    ids.revoked = (await owner.keys.create({ ...base, appId: listApp.id, environment: 'test' })).id;
    ids.other = (await owner.keys.create({ ...base, appId: otherApp.id, environment: 'live', group: groupA })).id;
    await owner.keys.disable(ids.disabled);
    await owner.keys.revoke(ids.revoked);
  });

  async function idsOf(query: Parameters<Keywarden['keys']['list']>[0]): Promise<string[]> {
    const page = await owner.keys.list({ limit: 100, ...query });
    return page.data.map((key) => key.id).sort();
  }

  it('filters by app', async () => {
    expect(await idsOf({ appId: listApp.id })).toEqual([ids.liveA, ids.testB, ids.disabled, ids.revoked].sort());
  });

  it('filters by environment', async () => {
    expect(await idsOf({ appId: listApp.id, environment: 'test' })).toEqual([ids.testB, ids.revoked].sort());
  });

  it('filters by status', async () => {
    expect(await idsOf({ appId: listApp.id, status: 'active' })).toEqual([ids.liveA, ids.testB].sort());
    expect(await idsOf({ appId: listApp.id, status: 'disabled' })).toEqual([ids.disabled]);
    expect(await idsOf({ appId: listApp.id, status: 'revoked' })).toEqual([ids.revoked]);
  });

  it('filters by group, across apps', async () => {
    expect(await idsOf({ group: groupA })).toEqual([ids.liveA, ids.other].sort());
    expect(await idsOf({ group: groupB, status: 'active' })).toEqual([ids.testB]);
  });

  it('walks more keys than one page with the cursor, without duplicates or gaps', async () => {
    const pagedApp = await owner.apps.create({ name: uniqueName('paged-app'), scopeCatalog: CATALOG });
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await owner.keys.create({ appId: pagedApp.id, name: `paged-${i}`, environment: 'live', scopes: ['vector.search'] })).id);
    }
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await owner.keys.list({ appId: pagedApp.id, limit: 3, cursor });
      pages.push(page.data.map((key) => key.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    // Every key exactly once, newest first (ids sort by creation time).
    expect(pages.flat()).toEqual([...created].sort().reverse());
    expect(new Set(pages.flat()).size).toBe(created.length);
  });
});

describe('changing a key', () => {
  it('updates name, description, scopes, metadata, expiresAt and group', async () => {
    const key = await newKey({ scopes: ['generation.create'] });
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const changes = {
      name: 'renamed',
      description: 'for the nightly batch',
      scopes: ['vector.search', 'embeddings.create'],
      metadata: { team: 'search', tier: 2 },
      expiresAt,
      group: 'staging',
    };
    const updated = await owner.keys.update(key.id, changes);
    expect(updated).toMatchObject({ ...changes, id: key.id, prefix: key.prefix, status: 'active' });
    expect(await owner.keys.get(key.id)).toEqual(updated);
    expect(await owner.verifyKey(key.secret, { scope: 'vector.search' })).toMatchObject({ code: 'VALID', expiresAt });
    expect((await owner.verifyKey(key.secret, { scope: 'generation.create' })).code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('clears description, group and expiresAt with null', async () => {
    const key = await newKey({ description: 'temp', group: 'personal', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const cleared = await owner.keys.update(key.id, { description: null, group: null, expiresAt: null });
    expect(cleared).toMatchObject({ description: null, group: null, expiresAt: null });
  });

  it('a disabled key verifies as KEY_DISABLED', async () => {
    const key = await newKey();
    expect((await owner.keys.disable(key.id)).status).toBe('disabled');
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_DISABLED', keyId: key.id });
  });

  it('enabling a disabled key makes it VALID again', async () => {
    const key = await newKey();
    await owner.keys.disable(key.id);
    expect((await owner.keys.enable(key.id)).status).toBe('active');
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: true, code: 'VALID' });
  });

  it('rotation keeps the key id, and the new secret verifies', async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id);
    expect(rotated.id).toBe(key.id);
    expect(rotated.secret).not.toBe(key.secret);
    expect(rotated.prefix).toBe(rotated.secret.slice(0, 12));
    expect(await owner.verifyKey(rotated.secret)).toMatchObject({ valid: true, code: 'VALID', keyId: key.id });
  });

  it('a revoked key verifies as KEY_REVOKED', async () => {
    const key = await newKey();
    expect((await owner.keys.revoke(key.id)).status).toBe('revoked');
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_REVOKED', keyId: key.id });
  });

  it('revocation is final: enable, rotate and update answer 409 CONFLICT', async () => {
    const key = await newKey();
    await owner.keys.revoke(key.id);
    await expectApiError(owner.keys.enable(key.id), { status: 409, code: 'CONFLICT' });
    await expectApiError(owner.keys.rotate(key.id, { gracePeriodSeconds: 0 }), { status: 409, code: 'CONFLICT' });
    await expectApiError(owner.keys.update(key.id, { name: 'back' }), { status: 409, code: 'CONFLICT' });
    expect((await owner.keys.get(key.id)).status).toBe('revoked');
  });
});

describe('audit log', () => {
  it('records every action on a key with actor, target, ip and request id', async () => {
    const key = await newKey();
    await owner.keys.update(key.id, { name: 'audited' });
    await owner.keys.disable(key.id);
    await owner.keys.enable(key.id);
    await owner.keys.rotate(key.id, { gracePeriodSeconds: 60 });
    // Raw request, to learn its x-request-id.
    const revoke = await rawRequest(api.baseUrl, `/v1/keys/${key.id}/revoke`, { method: 'POST', apiKey: workspace.secret });
    expect(revoke.status).toBe(200);

    const entries = (await owner.audit.list({ targetId: key.id, limit: 100 })).data;
    expect(entries.map((entry) => entry.action)).toEqual([
      'key.revoked',
      'key.rotated',
      'key.enabled',
      'key.disabled',
      'key.updated',
      'key.created',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        actorKeyId: workspace.keyId,
        targetType: 'key',
        targetId: key.id,
        ip: expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/),
        requestId: expect.stringMatching(/^req_[0-9a-z]{26}$/),
      });
    }
    expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(entries.length);
    expect(entries[0].requestId).toBe(revoke.headers.get('x-request-id'));
  });

  it('names only the fields an update changed', async () => {
    const key = await newKey();
    await owner.keys.update(key.id, { description: 'only this' });
    const [entry] = (await owner.audit.list({ targetId: key.id, action: 'key.updated' })).data;
    expect(entry.details).toEqual({ fields: ['description'] });
  });

  it('records nothing for an update that changes nothing, and only the fields that did change', async () => {
    const key = await newKey();
    const target = await owner.apps.create({ name: uniqueName('unchanged-app'), timezone: 'Europe/Berlin' });
    const endpoint = await owner.webhooks.create({ appId: target.id, url: 'https://example.com/unchanged' });

    await owner.keys.update(key.id, {});
    await owner.keys.update(key.id, { name: key.name, scopes: key.scopes });
    await owner.apps.update(target.id, {});
    await owner.apps.update(target.id, { name: target.name, timezone: 'Europe/Berlin' });
    await owner.webhooks.update(endpoint.id, {});
    await owner.webhooks.update(endpoint.id, { url: endpoint.url, enabled: true });
    expect((await owner.audit.list({ targetId: key.id, action: 'key.updated' })).data).toEqual([]);
    expect((await owner.audit.list({ targetId: target.id, action: 'app.updated' })).data).toEqual([]);
    expect((await owner.audit.list({ targetId: endpoint.id, action: 'webhook.updated' })).data).toEqual([]);

    await owner.keys.update(key.id, { name: key.name, description: 'changed' });
    await owner.apps.update(target.id, { timezone: 'UTC' });
    await owner.webhooks.update(endpoint.id, { enabled: false });
    expect((await owner.audit.list({ targetId: key.id, action: 'key.updated' })).data.map((entry) => entry.details)).toEqual([
      { fields: ['description'] },
    ]);
    expect((await owner.audit.list({ targetId: target.id, action: 'app.updated' })).data).toHaveLength(1);
    expect((await owner.audit.list({ targetId: endpoint.id, action: 'webhook.updated' })).data).toHaveLength(1);
  });

  it('records app and admin-key actions too', async () => {
    const auditedApp = await owner.apps.create({ name: uniqueName('audited-app') });
    await owner.apps.update(auditedApp.id, { timezone: 'Europe/Berlin' });
    const admin = await owner.adminKeys.create({ name: 'audited admin', role: 'viewer' });
    await owner.adminKeys.revoke(admin.id);
    await owner.apps.delete(auditedApp.id);
    const actionsOn = async (targetId: string) =>
      (await owner.audit.list({ targetId })).data.map((entry) => [entry.action, entry.actorKeyId]);
    expect(await actionsOn(auditedApp.id)).toEqual([
      ['app.deleted', workspace.keyId],
      ['app.updated', workspace.keyId],
      ['app.created', workspace.keyId],
    ]);
    expect(await actionsOn(admin.id)).toEqual([
      ['admin_key.revoked', workspace.keyId],
      ['admin_key.created', workspace.keyId],
    ]);
    const bootstrap = (await owner.audit.list({ targetId: workspace.keyId })).data;
    expect(bootstrap).toEqual([expect.objectContaining({ action: 'admin_key.created', actorKeyId: null, ip: null })]);
  });

  it.each(['targetId', 'actorKeyId', 'actor'])('refuses an empty %s filter (400) instead of listing every entry', async (filter) => {
    const response = await rawRequest(api.baseUrl, `/v1/audit?${filter}=`, { apiKey: workspace.secret });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: filter })] } });
  });

  it('contains no secret anywhere', async () => {
    const entries = [];
    for await (const entry of owner.audit.listAll({ limit: 100 })) entries.push(entry);
    expect(entries.length).toBeGreaterThan(10);
    const json = JSON.stringify(entries);
    for (const secret of issuedSecrets()) expect(json).not.toContain(secret);
    expect(json).not.toMatch(new RegExp(KEY_SHAPE.source));
  });
});

describe('admin keys', () => {
  it('an owner creates a developer key with the developer scopes, and it works', async () => {
    const developer = await owner.adminKeys.create({ name: 'dev', role: 'developer' });
    expect(developer.secret).toMatch(/^kw_admin_[0-9A-Za-z]{36}$/);
    expect(developer).toMatchObject({ role: 'developer', scopes: [...ROLE_SCOPES.developer], appIds: null, status: 'active' });
    expect(developer.prefix).toBe(developer.secret.slice(0, 13));
    const me = await client(api.baseUrl, developer.secret).me();
    expect(me).toMatchObject({ keyId: developer.id, kind: 'admin', scopes: [...ROLE_SCOPES.developer] });
  });

  it('lists admin keys without their secrets', async () => {
    const created = await owner.adminKeys.create({ name: 'listed admin', role: 'viewer' });
    const listed = [];
    for await (const key of owner.adminKeys.listAll()) listed.push(key);
    expect(listed.map((key) => key.id)).toEqual(expect.arrayContaining([workspace.keyId, created.id]));
    expect(JSON.stringify(listed)).not.toMatch(new RegExp(KEY_SHAPE.source));
  });

  it('a revoked admin key is refused with 401 KEY_REVOKED', async () => {
    const created = await owner.adminKeys.create({ name: 'to revoke', role: 'viewer' });
    const revoked = await owner.adminKeys.revoke(created.id);
    expect(revoked.status).toBe('revoked');
    await expectApiError(client(api.baseUrl, created.secret).me(), {
      status: 401,
      code: 'KEY_REVOKED',
      message: 'API key has been revoked',
    });
  });
});

describe('expiry', () => {
  let appKey: AppKey & WithSecret;
  let adminKey: { id: string; secret: string };

  beforeAll(async () => {
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    appKey = await newKey({ expiresAt });
    adminKey = await owner.adminKeys.create({ name: 'short-lived', role: 'viewer', expiresAt });
  });

  it('an app key past its expiresAt verifies as KEY_EXPIRED and shows status expired', async () => {
    await eventually(async () => expect((await owner.verifyKey(appKey.secret)).code).toBe('KEY_EXPIRED'), {
      timeoutMs: 6_000,
      intervalMs: 200,
    });
    expect((await owner.keys.get(appKey.id)).status).toBe('expired');
    expect((await owner.keys.list({ appId: app.id, status: 'expired' })).data.map((key) => key.id)).toContain(appKey.id);
  });

  it('an admin key past its expiresAt is refused on /v1/me with 401 KEY_EXPIRED', async () => {
    const expired = client(api.baseUrl, adminKey.secret);
    await eventually(() => expectApiError(expired.me(), { status: 401, code: 'KEY_EXPIRED', message: 'API key has expired' }), {
      timeoutMs: 6_000,
      intervalMs: 200,
    });
  });
});

describe('authentication', () => {
  it('health checks and the API docs need no key', async () => {
    for (const path of ['/health/live', '/health/ready', '/docs']) {
      expect({ path, status: (await rawRequest(api.baseUrl, path)).status }).toEqual({ path, status: 200 });
    }
  });

  it('accepts the key in an X-API-Key header as well as Bearer', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/me', { headers: { 'x-api-key': workspace.secret } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ keyId: workspace.keyId });
  });

  it('accepts the Bearer scheme in any letter case', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const response = await rawRequest(api.baseUrl, '/v1/me', { headers: { authorization: `${scheme} ${workspace.secret}` } });
      expect({ scheme, status: response.status }).toEqual({ scheme, status: 200 });
    }
  });

  it('ignores another Authorization scheme and still reads X-API-Key', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/me', {
      headers: { authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': workspace.secret },
    });
    expect(response.status).toBe(200);
  });

  it('refuses a request without a key: 401 UNAUTHORIZED "API key required"', async () => {
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/me'), { status: 401, code: 'UNAUTHORIZED', message: 'API key required' });
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/apps', { headers: { authorization: 'Bearer ' } }), {
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'API key required',
    });
  });

  it('refuses a garbage key: 401 UNAUTHORIZED "Invalid API key"', async () => {
    await expectApiError(client(api.baseUrl, 'garbage').me(), { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/me', { headers: { 'x-api-key': 'garbage' } }), {
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'Invalid API key',
    });
  });

  it('refuses a key with a bad checksum: 401 "Invalid API key"', async () => {
    const last = workspace.secret.at(-1) === 'A' ? 'B' : 'A';
    const typo = workspace.secret.slice(0, -1) + last;
    await expectApiError(client(api.baseUrl, typo).me(), { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
  });

  it('refuses a well-formed key with a valid checksum that was never issued: 401 "Invalid API key"', async () => {
    for (const environment of ['admin', 'live']) {
      const { key } = generateKey('kw', environment);
      registerSecret(key);
      await expectApiError(client(api.baseUrl, key).me(), { status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' });
    }
  });
});

describe('deleting an app', () => {
  it('revokes all its keys at once', async () => {
    const doomed = await owner.apps.create({ name: uniqueName('doomed'), scopeCatalog: CATALOG });
    const keys = [
      await owner.keys.create({ appId: doomed.id, name: 'a', environment: 'live', scopes: ['generation.create'] }),
      await owner.keys.create({ appId: doomed.id, name: 'b', environment: 'test', scopes: ['vector.search'] }),
    ];
    for (const key of keys) expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    await owner.apps.delete(doomed.id);
    for (const key of keys) {
      expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_REVOKED' });
      expect((await owner.keys.get(key.id)).status).toBe('revoked');
    }
    await expectApiError(owner.apps.get(doomed.id), { status: 404, code: 'NOT_FOUND' });
  });
});

describe('response headers', () => {
  it('an answer that shows a secret once is never stored by a cache, nor sniffed as another type', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ appId: app.id, name: uniqueName('headers'), environment: 'live', scopes: ['generation.create'] }),
    });
    expect(response.status).toBe(201);
    expect({ cache: response.headers.get('cache-control'), sniff: response.headers.get('x-content-type-options') }).toEqual({ cache: 'no-store', sniff: 'nosniff' });
  });

  it('the docs UI, on the console origin, may not be framed', async () => {
    const response = await rawRequest(api.baseUrl, '/docs');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });
});

describe('GET /metrics with KW_METRICS_TOKEN set', () => {
  const token = 'scrape-token-0123456789abcdef0123456789';
  let guarded: ApiProcess;

  beforeAll(async () => {
    guarded = await startApi({ KW_METRICS_TOKEN: token });
  });

  afterAll(async () => {
    await guarded?.stop();
  });

  it('refuses a scraper without the token, or with an admin key instead (401)', async () => {
    for (const apiKey of [undefined, workspace.secret]) {
      expectErrorEnvelope(await rawRequest(guarded.baseUrl, '/metrics', { apiKey }), { status: 401, code: 'UNAUTHORIZED', message: /scrape token/ });
    }
  });

  it('answers the scraper that presents it', async () => {
    const response = await rawRequest(guarded.baseUrl, '/metrics', { apiKey: token });
    expect(response.status).toBe(200);
    expect(response.text).toContain('kw_verify_requests_total');
  });
});
