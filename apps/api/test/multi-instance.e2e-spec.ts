import { type App, type AppKey, type Keywarden, type WithSecret } from '@keywarden/sdk';
import { Client } from 'pg';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectApiError,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Instance B caches credentials for 5 minutes (the configured maximum), so within a test
 * only the Redis pub/sub invalidation can make it notice a change made through A.
 */
const LONG_CACHE_TTL_MS = '300000';
/** "At once": B must answer correctly within this much polling. */
const PROPAGATION_MS = 200;

let apiA: ApiProcess;
let apiB: ApiProcess;
let workspace: Workspace;
let viaA: Keywarden;
let viaB: Keywarden;
let app: App;

function newKey(): Promise<AppKey & WithSecret> {
  return viaA.keys.create({ appId: app.id, name: uniqueName('shared'), environment: 'live', scopes: ['generation.create'] });
}

/** Verifies through B until it gives `code`, for at most PROPAGATION_MS. */
async function expectOnBSoon(secret: string, code: string): Promise<void> {
  await eventually(async () => expect((await viaB.verifyKey(secret)).code).toBe(code), {
    timeoutMs: PROPAGATION_MS,
    intervalMs: 20,
  });
}

/** Makes B resolve (and cache) the secret. */
async function warmB(secret: string): Promise<void> {
  expect((await viaB.verifyKey(secret)).code).toBe('VALID');
}

beforeAll(async () => {
  [apiA, apiB] = await Promise.all([startApi(), startApi({ KW_KEY_CACHE_TTL_MS: LONG_CACHE_TTL_MS })]);
  workspace = await bootstrapWorkspace('multi');
  viaA = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
  app = await viaA.apps.create({ name: uniqueName('shared-app'), scopeCatalog: ['generation.create', 'vector.search'] });
});

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
});

it('B answers from its cache: a change written behind its back is not seen (control)', async () => {
  const key = await newKey();
  await warmB(key.secret);
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query(`UPDATE api_keys SET status = 'disabled' WHERE id = $1`, [key.id]);
    // Nothing was published: B still trusts its cached answer.
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
  } finally {
    await db.query(`UPDATE api_keys SET status = 'active' WHERE id = $1`, [key.id]);
    await db.end();
  }
});

it('a key revoked through A is refused by B at once', async () => {
  const key = await newKey();
  await warmB(key.secret);
  await viaA.keys.revoke(key.id);
  await expectOnBSoon(key.secret, 'KEY_REVOKED');
});

it('a key rotated through A without grace stops its old secret on B at once', async () => {
  const key = await newKey();
  await warmB(key.secret);
  const rotated = await viaA.keys.rotate(key.id, { gracePeriodSeconds: 0 });
  await expectOnBSoon(key.secret, 'KEY_REVOKED');
  expect((await viaB.verifyKey(rotated.secret)).code).toBe('VALID');
});

it('a key disabled through A is KEY_DISABLED on B at once, and VALID again once enabled', async () => {
  const key = await newKey();
  await warmB(key.secret);
  await viaA.keys.disable(key.id);
  await expectOnBSoon(key.secret, 'KEY_DISABLED');
  await viaA.keys.enable(key.id);
  await expectOnBSoon(key.secret, 'VALID');
});

it('new scopes set through A apply on B at once', async () => {
  const key = await newKey();
  expect((await viaB.verifyKey(key.secret, { scope: 'vector.search' })).code).toBe('INSUFFICIENT_PERMISSIONS');
  await viaA.keys.update(key.id, { scopes: ['vector.search'] });
  await eventually(async () => expect((await viaB.verifyKey(key.secret, { scope: 'vector.search' })).code).toBe('VALID'), {
    timeoutMs: PROPAGATION_MS,
    intervalMs: 20,
  });
});

it("deleting an app through A revokes its keys on B at once", async () => {
  const doomed = await viaA.apps.create({ name: uniqueName('doomed'), scopeCatalog: ['generation.create'] });
  const key = await viaA.keys.create({ appId: doomed.id, name: 'doomed', environment: 'live', scopes: ['generation.create'] });
  await warmB(key.secret);
  await viaA.apps.delete(doomed.id);
  await expectOnBSoon(key.secret, 'KEY_REVOKED');
});

it('an admin key revoked through A is refused by B at once', async () => {
  const admin = await viaA.adminKeys.create({ name: 'shared admin', role: 'viewer' });
  const adminOnB = client(apiB.baseUrl, admin.secret);
  expect((await adminOnB.me()).keyId).toBe(admin.id);
  await viaA.adminKeys.revoke(admin.id);
  await eventually(() => expectApiError(adminOnB.me(), { status: 401, code: 'KEY_REVOKED' }), {
    timeoutMs: PROPAGATION_MS,
    intervalMs: 20,
  });
});
