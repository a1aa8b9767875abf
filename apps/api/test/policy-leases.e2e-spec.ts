import type { App, Keywarden, VerifyKeyResponse } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, expectErrorEnvelope, rawRequest, startApi, uniqueName, type Workspace } from './harness';
import { CATALOG, keyWithPolicy, redisCard, releaseLease } from './policy/helpers';

/** Short, so that expiry is observable within a test. */
const LEASE_TTL_MS = 1_000;

let apiA: ApiProcess;
let apiB: ApiProcess;
let workspace: Workspace;
/** Another tenant, for isolation. */
let other: Workspace;
let viaA: Keywarden;
let viaB: Keywarden;
let app: App;

const codes = (answers: VerifyKeyResponse[]) => answers.map((answer) => answer.code);

beforeAll(async () => {
  [apiA, apiB] = await Promise.all([startApi({ KW_LEASE_TTL_MS: String(LEASE_TTL_MS) }), startApi({ KW_LEASE_TTL_MS: String(LEASE_TTL_MS) })]);
  [workspace, other] = await Promise.all([bootstrapWorkspace('policy-leases'), bootstrapWorkspace('policy-leases-other')]);
  viaA = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
  app = await viaA.apps.create({ name: uniqueName('lease-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
});

it('hands out a lease per request up to the limit, then refuses; a release frees one', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 2 });
  const first = await viaA.verifyKey(key.secret);
  const second = await viaA.verifyKey(key.secret);
  const third = await viaA.verifyKey(key.secret);
  expect(codes([first, second, third])).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
  expect(first.leaseId).toMatch(/^lease_[0-9a-z]{26}$/);
  expect(second.leaseId).not.toBe(first.leaseId);
  expect(third.leaseId).toBeUndefined();
  expect(await releaseLease(apiA, workspace.secret, first.leaseId as string)).toBe(true);
  expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
});

it('answers released: false for a lease released twice', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 1 });
  const { leaseId } = await viaA.verifyKey(key.secret);
  expect(await releaseLease(apiA, workspace.secret, leaseId as string)).toBe(true);
  expect(await releaseLease(apiA, workspace.secret, leaseId as string)).toBe(false);
});

it('a lease nobody releases frees itself after its TTL', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 1 });
  const held = await viaA.verifyKey(key.secret);
  expect(held.code).toBe('VALID');
  expect((await viaA.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
  await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS + 100));
  expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
  expect(await releaseLease(apiA, workspace.secret, held.leaseId as string)).toBe(false);
});

it('is strict across instances: concurrent verifies through A and B get exactly the limit', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 3 });
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? viaA : viaB).verifyKey(key.secret)));
  expect(answers.filter((answer) => answer.code === 'VALID')).toHaveLength(3);
  expect(answers.filter((answer) => answer.code === 'RATE_LIMITED')).toHaveLength(9);
  expect(await redisCard(`kw:lease:{${key.id}}`)).toBe(3);
});

it('a lease taken through A can be released through B', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 1 });
  const { leaseId } = await viaA.verifyKey(key.secret);
  expect(await releaseLease(apiB, workspace.secret, leaseId as string)).toBe(true);
  expect((await viaB.verifyKey(key.secret)).code).toBe('VALID');
});

it("another workspace cannot release a workspace's lease", async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 1 });
  const { leaseId } = await viaA.verifyKey(key.secret);
  expect(await releaseLease(apiA, other.secret, leaseId as string)).toBe(false);
  expect((await viaA.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
});

it('a request refused for concurrency gives its rate-limit token back', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 1, rateLimits: { perDay: 2 } });
  const held = await viaA.verifyKey(key.secret);
  for (let i = 0; i < 3; i++) {
    const refused = await viaA.verifyKey(key.secret);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', ratelimit: { limit: 2, remaining: 1 } });
  }
  await releaseLease(apiA, workspace.secret, held.leaseId as string);
  const second = await viaA.verifyKey(key.secret);
  expect(second).toMatchObject({ code: 'VALID', ratelimit: { limit: 2, remaining: 0 } });
  await releaseLease(apiA, workspace.secret, second.leaseId as string);
  expect((await viaA.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
});

it('a rate-limited request takes no lease', async () => {
  const key = await keyWithPolicy(viaA, app, { concurrency: 5, rateLimits: { perDay: 1 } });
  expect((await viaA.verifyKey(key.secret)).code).toBe('VALID');
  for (let i = 0; i < 3; i++) expect((await viaA.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
  expect(await redisCard(`kw:lease:{${key.id}}`)).toBe(1);
});

it('answers 404 for a malformed lease id', async () => {
  const response = await rawRequest(apiA.baseUrl, '/v1/keys/leases/not-a-lease/release', { method: 'POST', apiKey: workspace.secret });
  expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND', message: 'Lease not found' });
});

it('release needs keys.verify', async () => {
  const viewer = await viaA.adminKeys.create({ name: 'viewer', role: 'viewer' });
  const response = await rawRequest(apiA.baseUrl, '/v1/keys/leases/lease_0000000000aaaaaaaaaaaaaaaa/release', { method: 'POST', apiKey: viewer.secret });
  expectErrorEnvelope(response, { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: 'API key lacks the required scope: keys.verify' });
});
