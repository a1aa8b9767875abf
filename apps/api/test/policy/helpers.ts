import type { App, AppKey, CreateKeyRequest, KeyPolicy, Keywarden, VerifyKeyOptions, WithSecret } from '@keywarden/sdk';
import Redis from 'ioredis';
import { Client } from 'pg';
import { type ApiProcess, bootstrapWorkspace, client, eventually, metricTotal, rawRequest, startApi, uniqueName } from '../harness';

export const CATALOG = ['generation.create', 'embeddings.create'];

/** Two API instances of one workspace, each with a client, and an app with the catalog. */
export interface TwoInstances {
  apiA: ApiProcess;
  apiB: ApiProcess;
  viaA: Keywarden;
  viaB: Keywarden;
  app: App;
  /** The workspace's owner key, for raw requests. */
  ownerSecret: string;
}

/**
 * Two instances that know of each other, started before the suite's tests and stopped after
 * them (for tests of the cross-instance bounds). The fields are set once `beforeAll` has run.
 */
export function twoInstancesForSuite(name: string): TwoInstances {
  const two = {} as TwoInstances;
  beforeAll(async () => {
    const [apiA, apiB] = await Promise.all([startApi(), startApi()]);
    Object.assign(two, { apiA, apiB });
    const workspace = await bootstrapWorkspace(name);
    const viaA = client(apiA.baseUrl, workspace.secret);
    const viaB = client(apiB.baseUrl, workspace.secret);
    const app = await viaA.apps.create({ name: uniqueName(`${name}-app`), scopeCatalog: CATALOG });
    Object.assign(two, { viaA, viaB, app, ownerSecret: workspace.secret });
    // Fair shares divide by the live instances (counted every 5 s): measure once both count each other.
    await eventually(
      async () => {
        for (const api of [apiA, apiB]) expect(await metricTotal(api.baseUrl, 'kw_live_api_instances')).toBeGreaterThanOrEqual(2);
      },
      { timeoutMs: 20_000 },
    );
  }, 90_000);
  afterAll(async () => {
    await Promise.all([two.apiA?.stop(), two.apiB?.stop()]);
  });
  return two;
}

/** A key of `app` with the given policy. */
export function keyWithPolicy(
  owner: Keywarden,
  app: App,
  policy: KeyPolicy | undefined,
  overrides: Partial<CreateKeyRequest> = {},
): Promise<AppKey & WithSecret> {
  return owner.keys.create({
    appId: app.id,
    name: uniqueName('policy-key'),
    environment: 'live',
    scopes: ['generation.create'],
    ...(policy ? { policy } : {}),
    ...overrides,
  });
}

/**
 * Fixed windows reset on the clock: a test that counts to a limit waits, when needed,
 * until at least `marginMs` are left in the current window so it cannot straddle a reset.
 */
export async function awayFromWindowEdge(windowMs: number, marginMs: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}

/** Verifies `times` in a row and answers the codes, in order. */
export async function verifyCodes(sdk: Keywarden, secret: string, times: number, options = {}): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < times; i++) codes.push((await sdk.verifyKey(secret, options)).code);
  return codes;
}

/** Runs SQL against the run's database (for what the API never lets a client do). */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.end();
  }
}

/** Reads one Redis key of the run's Redis (the counters behind a policy). */
export async function redisGet(key: string): Promise<string | null> {
  const redis = new Redis(process.env.REDIS_URL as string);
  try {
    return await redis.get(key);
  } finally {
    redis.disconnect();
  }
}

/** Deletes one Redis key of the run's Redis (as if it had expired). */
export async function redisDel(key: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL as string);
  try {
    await redis.del(key);
  } finally {
    redis.disconnect();
  }
}

/** `POST /v1/keys/leases/:leaseId/release`, answering `released`. */
export async function releaseLease(api: ApiProcess, adminSecret: string, leaseId: string): Promise<boolean> {
  const response = await rawRequest(api.baseUrl, `/v1/keys/leases/${leaseId}/release`, { method: 'POST', apiKey: adminSecret });
  if (response.status !== 200) throw new Error(`release answered ${response.status}: ${response.text}`);
  return (response.json as { released: boolean }).released;
}

/** How many members a sorted set of the run's Redis holds (a key's concurrency leases). */
export async function redisCard(key: string): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL as string);
  try {
    return await redis.zcard(key);
  } finally {
    redis.disconnect();
  }
}

/** What a loop sends with each verify, and the refusal that ends it. */
export interface DriveOptions {
  refusal?: 'RATE_LIMITED' | 'USAGE_EXCEEDED';
  verify?: VerifyKeyOptions;
}

/** Verifies in a loop until the instance refuses; answers how many it admitted. */
export async function untilRefused(sdk: Keywarden, secret: string, { refusal = 'RATE_LIMITED', verify = {} }: DriveOptions = {}): Promise<number> {
  let admitted = 0;
  for (;;) {
    const { code } = await sdk.verifyKey(secret, verify);
    if (code === refusal) return admitted;
    if (code !== 'VALID') throw new Error(`unexpected ${code}`);
    admitted++;
  }
}

/** `loops` concurrent loops through one instance until each is refused; answers the total admitted. */
export async function drive(sdk: Keywarden, secret: string, loops: number, options: DriveOptions = {}): Promise<number> {
  const counts = await Promise.all(Array.from({ length: loops }, () => untilRefused(sdk, secret, options)));
  return counts.reduce((sum, count) => sum + count, 0);
}
