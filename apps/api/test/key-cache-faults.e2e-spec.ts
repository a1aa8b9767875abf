import { execFileSync } from 'node:child_process';
import { generateKey, hashKey } from '@keywarden/core';
import type { App, Keywarden } from '@keywarden/sdk';
import { Client } from 'pg';
import { cacheChannels } from '../src/credentials/key-cache.service';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  startApi,
  startTcpProxy,
  type TcpProxy,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * The credential cache under faults. Each API reaches Redis (and, for the unknown-key
 * flood, PostgreSQL) through a proxy the test can cut, so the shared services stay up.
 */

/** B's TTL: only a broadcast, or the degraded TTL once B cannot hear broadcasts, can make it drop a key. */
const LONG_TTL_MS = '300000';
const DEGRADED_TTL_MS = 1_000;
/** The degraded TTL plus polling slack: a Redis that goes down closes the connection, so B notices at once. */
const DEGRADED_BOUND_MS = DEGRADED_TTL_MS + 2_000;

let redisProxy: TcpProxy;
let dbProxy: TcpProxy;
let apiA: ApiProcess;
let apiB: ApiProcess;
let workspace: Workspace;
let viaA: Keywarden;
let viaB: Keywarden;
let app: App;

beforeAll(async () => {
  [redisProxy, dbProxy] = await Promise.all([
    startTcpProxy(process.env.REDIS_URL as string),
    startTcpProxy(process.env.DATABASE_URL as string),
  ]);
  const common = { REDIS_URL: redisProxy.url, KW_KEY_CACHE_DEGRADED_TTL_MS: String(DEGRADED_TTL_MS) };
  apiA = await startApi(common);
  apiB = await startApi({ ...common, DATABASE_URL: dbProxy.url, KW_KEY_CACHE_TTL_MS: LONG_TTL_MS });
  workspace = await bootstrapWorkspace('cache-faults');
  viaA = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
  app = await viaA.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] });
}, 150_000);

afterAll(async () => {
  await redisProxy?.restore().catch(() => undefined);
  await dbProxy?.restore().catch(() => undefined);
  await Promise.all([apiA?.stop(), apiB?.stop()]);
  await Promise.all([redisProxy?.close(), dbProxy?.close()]);
});

describe('unknown keys', () => {
  /** A well-formed key of this deployment that no one was issued. */
  const unknownKey = () => generateKey('kw', 'live').key;

  it('cost one query: a flood of the same unknown key is answered while the database is unreachable', async () => {
    const key = unknownKey();
    expect((await viaB.verifyKey(key)).code).toBe('UNAUTHORIZED');
    await dbProxy.cut();
    try {
      const answers = await Promise.all(Array.from({ length: 500 }, () => viaB.verifyKey(key)));
      // Any database work would have answered 503: every one was answered from memory.
      expect(new Set(answers.map((answer) => answer.code))).toEqual(new Set(['UNAUTHORIZED']));
      process.stdout.write('[figure] 500 verifies of one unknown key: 0 database queries (database unreachable, all answered UNAUTHORIZED)\n');
    } finally {
      await dbProxy.restore();
    }
  }, 30_000);

  it('are forgotten on every instance once a secret with that hash is announced', async () => {
    const key = unknownKey();
    expect((await viaA.verifyKey(key)).code).toBe('UNAUTHORIZED');
    expect((await viaB.verifyKey(key)).code).toBe('UNAUTHORIZED');
    // The key comes into existence behind the instances' back: both keep calling it
    // unknown from memory (B for up to its 300 s TTL).
    const issued = await viaA.keys.create({ appId: app.id, name: uniqueName('k'), environment: 'live', scopes: ['generation.create'] });
    const hash = hashKey(process.env.KW_PEPPER as string, key);
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(`UPDATE key_secrets SET hash = $1 WHERE key_id = $2`, [hash, issued.id]);
    } finally {
      await db.end();
    }
    expect((await viaB.verifyKey(key)).code).toBe('UNAUTHORIZED');
    // What create and rotate broadcast for every secret they issue:
    const { newSecrets } = cacheChannels(await apiA.queueNamespace());
    execFileSync('redis-cli', ['-u', process.env.REDIS_URL as string, 'publish', newSecrets, hash.toString('hex')]);
    for (const via of [viaA, viaB]) {
      await eventually(async () => expect((await via.verifyKey(key)).code).toBe('VALID'), { timeoutMs: 2_000, intervalMs: 20 });
    }
  });

  it('never hide a key created through the API', async () => {
    const key = await viaA.keys.create({ appId: app.id, name: uniqueName('k'), environment: 'live', scopes: ['generation.create'] });
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
    const rotated = await viaB.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect((await viaA.verifyKey(rotated.secret)).code).toBe('VALID');
  });
});

describe('canary keys', () => {
  it('are answered from memory on repeated use, as a repeated unknown key is, so latency cannot tell them apart', async () => {
    const canary = await viaA.keys.create({ appId: app.id, name: uniqueName('canary'), environment: 'live', scopes: ['generation.create'], canary: true });
    expect((await viaB.verifyKey(canary.secret)).code).toBe('UNAUTHORIZED');
    await dbProxy.cut();
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => viaB.verifyKey(canary.secret)));
      // A lookup would have answered 503 while the database is unreachable.
      expect(new Set(answers.map((answer) => answer.code))).toEqual(new Set(['UNAUTHORIZED']));
    } finally {
      await dbProxy.restore();
    }
  }, 30_000);
});

// Last: Redis is cut here, and the instances take a while to hear it again.
describe('Redis down at start', () => {
  afterEach(async () => {
    await redisProxy.restore().catch(() => undefined);
  });

  it('the API starts all the same: it verifies from PostgreSQL and reports itself not ready', async () => {
    const key = await viaA.keys.create({ appId: app.id, name: uniqueName('k'), environment: 'live', scopes: ['generation.create'] });
    await redisProxy.cut();
    const apiC = await startApi({ REDIS_URL: redisProxy.url }, 'live');
    try {
      expect((await client(apiC.baseUrl, workspace.secret).verifyKey(key.secret)).code).toBe('VALID');
      expect((await fetch(`${apiC.baseUrl}/health/ready`)).status).toBe(503);
      expect(apiC.readLog()).not.toMatch(/Unhandled error event/);
    } finally {
      await apiC.stop();
    }
  }, 60_000);
});

describe('revocation while Redis is down', () => {
  afterEach(async () => {
    await redisProxy.restore().catch(() => undefined);
  });

  it(`reaches an instance that cannot hear the broadcast within its degraded TTL (bound ${DEGRADED_BOUND_MS} ms), not its 300 s TTL`, async () => {
    const key = await viaA.keys.create({ appId: app.id, name: uniqueName('k'), environment: 'live', scopes: ['generation.create'] });
    expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');

    await redisProxy.cut();
    const revokedAt = Date.now();
    const revoked = await viaA.keys.revoke(key.id);
    expect(revoked.status).toBe('revoked');
    // The change is made, and the answer says no instance could be told.
    expect(revoked.propagation).toEqual({ confirmed: false, instances: 0, acknowledged: 0 });
    await eventually(async () => expect((await viaB.verifyKey(key.secret)).code).toBe('KEY_REVOKED'), {
      timeoutMs: DEGRADED_BOUND_MS,
      intervalMs: 50,
    });
    const staleForMs = Date.now() - revokedAt;
    process.stdout.write(`[figure] revoked key answered VALID on the other instance for at most ${staleForMs} ms during the Redis outage\n`);
    expect(apiA.readLog()).toMatch(/could not broadcast key invalidation/);
  }, 30_000);

  it('leaves no unhandled Redis error events in the logs', () => {
    for (const api of [apiA, apiB]) expect(api.readLog()).not.toMatch(/Unhandled error event/);
  });
});
