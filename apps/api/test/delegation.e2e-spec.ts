import type { AdminKey, App, Keywarden, WithSecret } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, expectApiError, startApi, uniqueName, type Workspace } from './harness';

/**
 * An admin key never mints a key less restricted than itself, and revokes only keys it
 * covers (scopes and apps).
 */

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;
let otherApp: App;
/** Restricted by IPs (loopback, where the tests run), a rate limit and a 1 h expiry. */
let restricted: AdminKey & WithSecret;
let viaRestricted: Keywarden;
const inOneHour = () => new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('delegation');
  owner = client(api.baseUrl, workspace.secret);
  [app, otherApp] = await Promise.all([
    owner.apps.create({ name: uniqueName('app') }),
    owner.apps.create({ name: uniqueName('other-app') }),
  ]);
  restricted = await owner.adminKeys.create({
    name: uniqueName('restricted'),
    scopes: ['keys.*', 'apps.read'],
    appIds: [app.id],
    expiresAt: inOneHour().toISOString(),
    policy: { ipAllowlist: ['127.0.0.0/8', '::1'], rateLimits: { perMinute: 1000 }, rotationPeriodDays: 30 },
  });
  viaRestricted = client(api.baseUrl, restricted.secret);
});

afterAll(async () => {
  await api?.stop();
});

describe('a child of a restricted admin key', () => {
  it('inherits every restriction it leaves out: IPs, rate limit, rotation, expiry', async () => {
    const child = await viaRestricted.adminKeys.create({ name: uniqueName('child'), scopes: ['keys.read'], appIds: [app.id] });
    expect(child.policy).toEqual({ ipAllowlist: ['127.0.0.0/8', '::1'], rateLimits: { perMinute: 1000 }, rotationPeriodDays: 30 });
    expect(child.expiresAt).toBe(restricted.expiresAt);
  });

  it("inherits its creator's apps when it names none", async () => {
    const child = await viaRestricted.adminKeys.create({ name: uniqueName('child'), scopes: ['keys.read'] });
    expect(child.appIds).toEqual([app.id]);
  });

  it('may be narrower in every respect', async () => {
    const child = await viaRestricted.adminKeys.create({
      name: uniqueName('narrow'),
      scopes: ['keys.read'],
      appIds: [app.id],
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      policy: { ipAllowlist: ['127.0.0.1'], rateLimits: { perMinute: 10, perHour: 100 }, rotationPeriodDays: 7 },
    });
    expect(child.policy).toEqual({ ipAllowlist: ['127.0.0.1'], rateLimits: { perMinute: 10, perHour: 100 }, rotationPeriodDays: 7 });
  });

  it.each([
    ['a scope it lacks', { scopes: ['webhooks.read'] }, /scopes not held by the calling key: webhooks\.read/],
    ['another app', { appIds: ['OTHER'] }, /appIds reach apps outside/],
    ['a later expiry', { expiresAt: 'LATER' }, /expiresAt must be no later than the calling key's expiry/],
    ['a looser rate limit', { policy: { rateLimits: { perMinute: 1001 } } }, /policy\.rateLimits\.perMinute must be at most the calling key's limit \(1000\)/],
    ['a wider IP range', { policy: { ipAllowlist: ['0.0.0.0/0'] } }, /policy\.ipAllowlist must lie within the calling key's allowlist \(outside: 0\.0\.0\.0\/0\)/],
    ['an IP outside', { policy: { ipAllowlist: ['127.0.0.1', '10.0.0.1'] } }, /outside: 10\.0\.0\.1\)/],
    ['a longer rotation period', { policy: { rotationPeriodDays: 31 } }, /policy\.rotationPeriodDays must be at most the calling key's \(30\)/],
  ])('is refused with %s (403 naming it)', async (_, change, message) => {
    const body: Record<string, unknown> = { name: uniqueName('loose'), scopes: ['keys.read'], appIds: [app.id], ...change };
    if (body.appIds && (body.appIds as string[])[0] === 'OTHER') body.appIds = [otherApp.id];
    if (body.expiresAt === 'LATER') body.expiresAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    await expectApiError(viaRestricted.adminKeys.create(body as never), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message });
  });

  it('cannot pass on more than it holds through a child of a child', async () => {
    const child = await viaRestricted.adminKeys.create({ name: uniqueName('child'), scopes: ['keys.*'], appIds: [app.id] });
    const viaChild = client(api.baseUrl, child.secret);
    await expectApiError(
      viaChild.adminKeys.create({ name: uniqueName('grandchild'), scopes: ['keys.read'], appIds: [app.id], policy: { rateLimits: { perMinute: 5000 } } }),
      { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /perMinute/ },
    );
    const grandchild = await viaChild.adminKeys.create({ name: uniqueName('grandchild'), scopes: ['keys.read'], appIds: [app.id] });
    expect(grandchild.policy?.ipAllowlist).toEqual(['127.0.0.0/8', '::1']);
    expect(grandchild.expiresAt).toBe(restricted.expiresAt);
  });
});

it("an owner key's child without policy gets none (the deployment default applies to both)", async () => {
  const child = await owner.adminKeys.create({ name: uniqueName('plain'), role: 'viewer' });
  expect(child.policy).toBeNull();
  expect(child.expiresAt).toBeNull();
});

describe('keys.revoke', () => {
  let revoker: Keywarden;

  beforeAll(async () => {
    const key = await owner.adminKeys.create({ name: uniqueName('revoker'), scopes: ['keys.revoke', 'keys.read'] });
    revoker = client(api.baseUrl, key.secret);
  });

  it('alone cannot revoke the owner key (403), which keeps working', async () => {
    await expectApiError(revoker.adminKeys.revoke(workspace.keyId), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /Cannot revoke a key broader than the calling key: scopes not held by the calling key: \*/,
    });
    expect((await owner.me()).keyId).toBe(workspace.keyId);
  });

  it('cannot revoke a key holding scopes it lacks', async () => {
    const broader = await owner.adminKeys.create({ name: uniqueName('broader'), scopes: ['keys.revoke', 'webhooks.write'] });
    await expectApiError(revoker.adminKeys.revoke(broader.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /webhooks\.write/ });
  });

  it('revokes a key whose scopes and apps it covers', async () => {
    const covered = await owner.adminKeys.create({ name: uniqueName('covered'), scopes: ['keys.read'], appIds: [app.id] });
    expect((await revoker.adminKeys.revoke(covered.id)).status).toBe('revoked');
  });

  it('of an app-restricted key cannot revoke a key of every app with the same scopes', async () => {
    const appRevoker = await owner.adminKeys.create({ name: uniqueName('app-revoker'), scopes: ['keys.revoke'], appIds: [app.id] });
    const unrestricted = await owner.adminKeys.create({ name: uniqueName('unrestricted'), scopes: ['keys.revoke'] });
    await expectApiError(client(api.baseUrl, appRevoker.secret).adminKeys.revoke(unrestricted.id), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /appIds reach apps outside/,
    });
  });
});

describe('the last owner key', () => {
  let lone: Workspace;
  let loneOwner: Keywarden;

  beforeAll(async () => {
    lone = await bootstrapWorkspace('last-owner');
    loneOwner = client(api.baseUrl, lone.secret);
  });

  it('is marked lastOwner in the listing, so a console need not offer a revoke that must fail', async () => {
    const viewer = await loneOwner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    const { data } = await loneOwner.adminKeys.list();
    expect(Object.fromEntries(data.map((key) => [key.id, key.lastOwner]))).toEqual({ [lone.keyId]: true, [viewer.id]: false });
    expect(viewer.lastOwner).toBe(false);
  });

  it('cannot be revoked, not even by itself (409), and keeps working', async () => {
    await expectApiError(loneOwner.adminKeys.revoke(lone.keyId), {
      status: 409,
      code: 'CONFLICT',
      message: /last owner key of the workspace: create another owner key first/,
    });
    expect((await loneOwner.me()).keyId).toBe(lone.keyId);
  });

  it('can be revoked once another owner key works', async () => {
    const successor = await loneOwner.adminKeys.create({ name: uniqueName('successor'), role: 'owner' });
    const owners = (await loneOwner.adminKeys.list()).data.filter((key) => [lone.keyId, successor.id].includes(key.id));
    expect(owners.map((key) => key.lastOwner)).toEqual([false, false]);
    const revoked = await loneOwner.adminKeys.revoke(lone.keyId);
    expect(revoked).toMatchObject({ status: 'revoked', lastOwner: false });
    expect((await client(api.baseUrl, successor.secret).adminKeys.list()).data.find((key) => key.id === successor.id)?.lastOwner).toBe(true);
    await expectApiError(client(api.baseUrl, successor.secret).adminKeys.revoke(successor.id), { status: 409, code: 'CONFLICT' });
  });
});
