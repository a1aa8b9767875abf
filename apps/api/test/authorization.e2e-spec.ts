import { type App, type AppKey, type CreateAdminKeyRequest, type Keywarden, type WithSecret } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, expectApiError, startApi, uniqueName, type Workspace } from './harness';

const CATALOG = ['generation.create', 'vector.search', 'enrichment.*'];

let api: ApiProcess;
let workspaceA: Workspace;
let ownerA: Keywarden;

function appKeyBody(appId: string, scopes: string[] = ['generation.create']) {
  return { appId, name: uniqueName('key'), environment: 'live', scopes };
}

beforeAll(async () => {
  api = await startApi();
  workspaceA = await bootstrapWorkspace('authz-a');
  ownerA = client(api.baseUrl, workspaceA.secret);
});

afterAll(async () => {
  await api?.stop();
});

describe('another workspace', () => {
  let ownerB: Keywarden;
  let appA: App;
  let keyA: AppKey & WithSecret;

  beforeAll(async () => {
    ownerB = client(api.baseUrl, (await bootstrapWorkspace('authz-b')).secret);
    appA = await ownerA.apps.create({ name: uniqueName('a-app'), scopeCatalog: CATALOG });
    keyA = await ownerA.keys.create(appKeyBody(appA.id));
    // B has data of its own, so "none of A's" is not trivially an empty list.
    const appB = await ownerB.apps.create({ name: uniqueName('b-app') });
    await ownerB.keys.create(appKeyBody(appB.id, ['b.read']));
  });

  it("cannot read A's app or key: 404", async () => {
    await expectApiError(ownerB.apps.get(appA.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.keys.get(keyA.id), { status: 404, code: 'NOT_FOUND' });
  });

  it("lists none of A's apps, keys, admin keys or audit entries", async () => {
    const apps = (await ownerB.apps.list({ limit: 100 })).data;
    const keys = (await ownerB.keys.list({ limit: 100 })).data;
    const adminKeys = (await ownerB.adminKeys.list({ limit: 100 })).data;
    const audit = (await ownerB.audit.list({ limit: 100 })).data;
    expect(apps.length).toBeGreaterThan(0);
    expect(keys.length).toBeGreaterThan(0);
    expect(apps.map((app) => app.id)).not.toContain(appA.id);
    expect(keys.map((key) => key.id)).not.toContain(keyA.id);
    expect(adminKeys.map((key) => key.id)).not.toContain(workspaceA.keyId);
    expect(JSON.stringify(audit)).not.toContain(appA.id);
    expect(JSON.stringify(audit)).not.toContain(keyA.id);
  });

  it("cannot list A's keys by filtering on A's app: 404, as if it did not exist", async () => {
    await expectApiError(ownerB.keys.list({ appId: appA.id }), { status: 404, code: 'NOT_FOUND' });
  });

  it("verifies A's key as UNAUTHORIZED, as if it did not exist", async () => {
    expect(await ownerB.verifyKey(keyA.secret)).toEqual({ valid: false, code: 'UNAUTHORIZED' });
  });

  it("cannot change A's key or app: 404", async () => {
    await expectApiError(ownerB.keys.rotate(keyA.id, { gracePeriodSeconds: 0 }), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.keys.revoke(keyA.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.keys.disable(keyA.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.keys.update(keyA.id, { name: 'hijacked' }), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.apps.update(appA.id, { name: 'hijacked' }), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.apps.delete(appA.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(ownerB.adminKeys.revoke(workspaceA.keyId), { status: 404, code: 'NOT_FOUND' });
    expect(await ownerA.verifyKey(keyA.secret)).toMatchObject({ valid: true, code: 'VALID' });
    expect((await ownerA.keys.get(keyA.id)).name).toBe(keyA.name);
  });

  it("cannot issue a key in A's app: 404", async () => {
    await expectApiError(ownerB.keys.create(appKeyBody(appA.id)), { status: 404, code: 'NOT_FOUND' });
  });

  it("cannot restrict an admin key to A's app", async () => {
    await expectApiError(ownerB.adminKeys.create({ name: 'sneaky', role: 'viewer', appIds: [appA.id] }), {
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('an admin key restricted to one app', () => {
  let app1: App;
  let app2: App;
  let key1: AppKey & WithSecret;
  let key2: AppKey & WithSecret;
  let restricted: Keywarden;

  beforeAll(async () => {
    app1 = await ownerA.apps.create({ name: uniqueName('app1'), scopeCatalog: CATALOG });
    app2 = await ownerA.apps.create({ name: uniqueName('app2'), scopeCatalog: CATALOG });
    key1 = await ownerA.keys.create(appKeyBody(app1.id));
    key2 = await ownerA.keys.create(appKeyBody(app2.id));
    const admin = await ownerA.adminKeys.create({ name: 'app1 only', role: 'admin', appIds: [app1.id] });
    restricted = client(api.baseUrl, admin.secret);
  });

  it('works on its own app', async () => {
    expect((await restricted.apps.get(app1.id)).id).toBe(app1.id);
    expect((await restricted.keys.get(key1.id)).id).toBe(key1.id);
    expect(await restricted.verifyKey(key1.secret)).toMatchObject({ valid: true, code: 'VALID' });
  });

  it("is forbidden from the other app and its keys: 403 INSUFFICIENT_PERMISSIONS", async () => {
    await expectApiError(restricted.apps.get(app2.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: new RegExp(app2.id) });
    await expectApiError(restricted.keys.get(key2.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(restricted.keys.revoke(key2.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(restricted.keys.rotate(key2.id, { gracePeriodSeconds: 0 }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(restricted.apps.update(app2.id, { name: 'taken' }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(restricted.apps.delete(app2.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await ownerA.verifyKey(key2.secret)).toMatchObject({ valid: true, code: 'VALID' });
  });

  it("lists only its app's apps and keys", async () => {
    expect((await restricted.apps.list({ limit: 100 })).data.map((app) => app.id)).toEqual([app1.id]);
    const keys = (await restricted.keys.list({ limit: 100 })).data;
    expect(keys.map((key) => key.id)).toContain(key1.id);
    expect(keys.every((key) => key.appId === app1.id)).toBe(true);
    await expectApiError(restricted.keys.list({ appId: app2.id }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('cannot issue a key in the other app: 403', async () => {
    await expectApiError(restricted.keys.create(appKeyBody(app2.id)), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it("verifies the other app's key as UNAUTHORIZED", async () => {
    expect(await restricted.verifyKey(key2.secret)).toEqual({ valid: false, code: 'UNAUTHORIZED' });
  });

  it('cannot create an admin key for the other app: 403', async () => {
    await expectApiError(restricted.adminKeys.create({ name: 'escape', role: 'viewer', appIds: [app2.id] }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('creates an admin key that names no apps restricted to its own app, never unrestricted', async () => {
    const created = await restricted.adminKeys.create({ name: 'inherits', role: 'viewer' });
    expect(created.appIds).toEqual([app1.id]);
  });

  it('can create an admin key restricted to its own app', async () => {
    const created = await restricted.adminKeys.create({ name: 'narrow', role: 'viewer', appIds: [app1.id] });
    expect(created.appIds).toEqual([app1.id]);
  });

  it('cannot create apps: 403', async () => {
    await expectApiError(restricted.apps.create({ name: uniqueName('new') }), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('cannot revoke an admin key broader than itself: 403', async () => {
    await expectApiError(restricted.adminKeys.revoke(workspaceA.keyId), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it("reads the audit entries of its own app and its keys, and its own actions, not the other app's", async () => {
    await ownerA.keys.disable(key1.id);
    await ownerA.keys.disable(key2.id);
    const narrow = await restricted.adminKeys.create({ name: 'audited', role: 'viewer', appIds: [app1.id] });

    const targets = (await restricted.audit.list({ limit: 100 })).data.map((entry) => entry.targetId);

    expect(targets).toEqual(expect.arrayContaining([app1.id, key1.id, narrow.id]));
    expect(targets).not.toContain(app2.id);
    expect(targets).not.toContain(key2.id);
    expect((await ownerA.audit.list({ targetId: key2.id })).data.map((entry) => entry.action)).toContain('key.disabled');
  });

  it("still reads the whole history of its app's webhook endpoint once the endpoint is deleted, and none of the other app's", async () => {
    const history = ['webhook.deleted', 'webhook.tested', 'webhook.secret_rotated', 'webhook.updated', 'webhook.created'];
    const mine = await ownerA.webhooks.create({ appId: app1.id, url: 'https://example.com/app1-hook' });
    const theirs = await ownerA.webhooks.create({ appId: app2.id, url: 'https://example.com/app2-hook' });
    for (const endpoint of [mine, theirs]) {
      await ownerA.webhooks.update(endpoint.id, { description: 'renamed' });
      await ownerA.webhooks.rotateSecret(endpoint.id);
      await ownerA.webhooks.test(endpoint.id);
      await ownerA.webhooks.delete(endpoint.id);
    }

    expect((await restricted.audit.list({ targetId: mine.id })).data.map((entry) => entry.action)).toEqual(history);
    expect((await restricted.audit.list({ targetId: theirs.id })).data).toEqual([]);
    expect((await ownerA.audit.list({ targetId: theirs.id })).data.map((entry) => entry.action)).toEqual(history);
  });
});

describe('scope escalation', () => {
  let app: App;
  let appKey: AppKey & WithSecret;
  let viewer: Keywarden;
  let developer: Keywarden;

  async function adminClient(body: Omit<CreateAdminKeyRequest, 'name'>): Promise<Keywarden> {
    const created = await ownerA.adminKeys.create({ name: uniqueName('admin'), ...body });
    return client(api.baseUrl, created.secret);
  }

  beforeAll(async () => {
    app = await ownerA.apps.create({ name: uniqueName('esc-app'), scopeCatalog: CATALOG });
    appKey = await ownerA.keys.create(appKeyBody(app.id));
    viewer = await adminClient({ role: 'viewer' });
    developer = await adminClient({ role: 'developer' });
  });

  it.each([
    ['create an app', 'apps.write', (kw: Keywarden) => kw.apps.create({ name: uniqueName('v') })],
    ['update an app', 'apps.write', (kw: Keywarden) => kw.apps.update(app.id, { name: uniqueName('v') })],
    ['delete an app', 'apps.write', (kw: Keywarden) => kw.apps.delete(app.id)],
    ['create a key', 'keys.write', (kw: Keywarden) => kw.keys.create(appKeyBody(app.id))],
    ['update a key', 'keys.write', (kw: Keywarden) => kw.keys.update(appKey.id, { name: 'v' })],
    ['rotate a key', 'keys.write', (kw: Keywarden) => kw.keys.rotate(appKey.id)],
    ['disable a key', 'keys.write', (kw: Keywarden) => kw.keys.disable(appKey.id)],
    ['revoke a key', 'keys.revoke', (kw: Keywarden) => kw.keys.revoke(appKey.id)],
    ['verify a key', 'keys.verify', (kw: Keywarden) => kw.verifyKey(appKey.secret)],
    ['create an admin key', 'keys.write', (kw: Keywarden) => kw.adminKeys.create({ name: 'v', role: 'viewer' })],
    ['revoke an admin key', 'keys.revoke', (kw: Keywarden) => kw.adminKeys.revoke(workspaceA.keyId)],
  ])('a viewer cannot %s: 403 naming %s', async (_action, scope, call) => {
    await expectApiError(call(viewer), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: `API key lacks the required scope: ${scope}`,
    });
  });

  it('a viewer can still read', async () => {
    expect((await viewer.keys.get(appKey.id)).id).toBe(appKey.id);
    expect((await viewer.apps.list()).data.length).toBeGreaterThan(0);
    expect((await viewer.audit.list({ limit: 1 })).data).toHaveLength(1);
  });

  const escalations: Array<[string, Omit<CreateAdminKeyRequest, 'name'>, string]> = [
    ['role owner', { role: 'owner' }, '*'],
    ['role admin', { role: 'admin' }, 'keys.revoke'],
    ['scope keys.revoke', { scopes: ['keys.revoke'] }, 'keys.revoke'],
    ['scope *', { scopes: ['*'] }, '*'],
    ['scope audit.read', { scopes: ['audit.read'] }, 'audit.read'],
  ];

  it.each(escalations)('a developer cannot create an admin key with %s: 403', async (_label, body, named) => {
    const failure = await expectApiError(developer.adminKeys.create({ name: 'escalated', ...body }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    expect(failure.message).toContain(named);
  });

  it('a developer can create an admin key within its own scopes', async () => {
    const created = await developer.adminKeys.create({ name: 'within', scopes: ['keys.read', 'keys.verify'] });
    expect(created.scopes).toEqual(['keys.read', 'keys.verify']);
  });

  it('a developer cannot revoke a key: 403 naming keys.revoke', async () => {
    await expectApiError(developer.keys.revoke(appKey.id), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'API key lacks the required scope: keys.revoke',
    });
    expect(await ownerA.verifyKey(appKey.secret)).toMatchObject({ valid: true });
  });

  it("a key with keys.read + keys.write cannot create one with keys.*, but can with keys.read", async () => {
    const limited = await adminClient({ scopes: ['keys.read', 'keys.write'] });
    await expectApiError(limited.adminKeys.create({ name: 'wider', scopes: ['keys.*'] }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /keys\.\*/,
    });
    const narrower = await limited.adminKeys.create({ name: 'narrower', scopes: ['keys.read'] });
    expect(narrower.scopes).toEqual(['keys.read']);
  });
});

describe('app keys', () => {
  let app: App;

  beforeAll(async () => {
    app = await ownerA.apps.create({ name: uniqueName('customer-app'), scopeCatalog: CATALOG });
  });

  it('an app key can call /v1/me and sees its own app', async () => {
    const key = await ownerA.keys.create(appKeyBody(app.id));
    expect(await client(api.baseUrl, key.secret).me()).toMatchObject({
      keyId: key.id,
      kind: 'app',
      appIds: [app.id],
      environment: 'live',
      scopes: ['generation.create'],
    });
  });

  it('an app key cannot use the management API: 403', async () => {
    const customer = client(api.baseUrl, (await ownerA.keys.create(appKeyBody(app.id))).secret);
    await expectApiError(customer.apps.list(), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /apps\.read/ });
    await expectApiError(customer.keys.list(), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /keys\.read/ });
    await expectApiError(customer.verifyKey('kw_live_x'), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /keys\.verify/ });
  });

  it("scopes outside the app's catalog are rejected: 400", async () => {
    const failure = await expectApiError(ownerA.keys.create(appKeyBody(app.id, ['billing.read'])), {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: /billing\.read/,
    });
    expect(failure.details?.map((detail) => detail.field)).toEqual(['scopes']);
  });

  it('an update cannot widen scopes beyond the catalog: 400', async () => {
    const key = await ownerA.keys.create(appKeyBody(app.id));
    await expectApiError(ownerA.keys.update(key.id, { scopes: ['generation.*'] }), { status: 400, code: 'VALIDATION_FAILED' });
    expect((await ownerA.keys.get(key.id)).scopes).toEqual(['generation.create']);
  });

  it('catalog wildcards and presets expand within the catalog', async () => {
    const key = await ownerA.keys.create(appKeyBody(app.id, ['enrichment.company', 'read']));
    expect(key.scopes).toEqual(['enrichment.company', 'vector.search']);
  });

  it.each([['keys.read'], ['apps.*'], ['*'], ['usage.write']])('management scope %s on an app key is rejected: 400', async (scope) => {
    const failure = await expectApiError(ownerA.keys.create(appKeyBody(app.id, [scope])), { status: 400, code: 'VALIDATION_FAILED' });
    expect(failure.details?.map((detail) => detail.field)).toContain('scopes');
  });

  it('management scopes are rejected even in an app without a catalog', async () => {
    const open = await ownerA.apps.create({ name: uniqueName('open-app') });
    await expectApiError(ownerA.keys.create(appKeyBody(open.id, ['keys.revoke'])), { status: 400, code: 'VALIDATION_FAILED' });
    expect((await ownerA.keys.create(appKeyBody(open.id, ['anything.goes']))).scopes).toEqual(['anything.goes']);
  });
});
