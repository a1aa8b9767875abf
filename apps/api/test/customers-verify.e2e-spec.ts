import type { App, Customer, CustomerPolicy, Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, eventually, startApi, uniqueName, type Workspace } from './harness';
import { awayFromWindowEdge, CATALOG, keyWithPolicy, releaseLease, sql, verifyCodes } from './policy/helpers';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('customers-verify');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('customers-verify-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await api?.stop();
});

function customerWith(policy: CustomerPolicy | undefined): Promise<Customer> {
  return owner.customers.create({ externalId: uniqueName('acct'), ...(policy ? { policy } : {}) });
}

describe('verify of a key held by a customer', () => {
  it('names the customer in the answer', async () => {
    const customer = await customerWith(undefined);
    const key = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: true, code: 'VALID', customer: { id: customer.id, externalId: customer.externalId } });
    const loose = await keyWithPolicy(owner, app, undefined);
    expect((await owner.verifyKey(loose.secret)).customer).toBeUndefined();
  });

  it("counts all of a customer's keys against its shared rate limit", async () => {
    await awayFromWindowEdge(60_000, 15_000);
    const customer = await customerWith({ rateLimits: { perMinute: 3 } });
    const [a, b] = await Promise.all([0, 1].map(() => keyWithPolicy(owner, app, { rateLimits: { perMinute: 100 } }, { customerId: customer.id })));
    expect(await verifyCodes(owner, a.secret, 2)).toEqual(['VALID', 'VALID']);
    expect(await verifyCodes(owner, b.secret, 2)).toEqual(['VALID', 'RATE_LIMITED']);
    expect((await owner.verifyKey(a.secret)).code).toBe('RATE_LIMITED');
  });

  it('answers the tightest rate-limit state of the key and its customer', async () => {
    await awayFromWindowEdge(60_000, 15_000);
    const customer = await customerWith({ rateLimits: { perMinute: 10 } });
    const roomy = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 50 } }, { customerId: customer.id });
    expect((await owner.verifyKey(roomy.secret)).ratelimit).toMatchObject({ limit: 10, remaining: 9 });
    const tight = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 3 } }, { customerId: customer.id });
    expect((await owner.verifyKey(tight.secret)).ratelimit).toMatchObject({ limit: 3, remaining: 2 });
  });

  it("takes nothing from the customer when the key's own limit refuses", async () => {
    await awayFromWindowEdge(60_000, 15_000);
    const customer = await customerWith({ rateLimits: { perMinute: 3 } });
    const limited = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 1 } }, { customerId: customer.id });
    const free = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    expect(await verifyCodes(owner, limited.secret, 3)).toEqual(['VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
    // The two refusals did not count against the customer: two of its three are left.
    expect(await verifyCodes(owner, free.secret, 3)).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
  });

  it("takes nothing from the key when the customer's limit refuses", async () => {
    await awayFromWindowEdge(60_000, 15_000);
    const customer = await customerWith({ rateLimits: { perMinute: 2 } });
    const key = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 4 } }, { customerId: customer.id });
    const sibling = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    expect(await verifyCodes(owner, sibling.secret, 2)).toEqual(['VALID', 'VALID']);
    expect(await verifyCodes(owner, key.secret, 3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    await owner.customers.update(customer.id, { policy: null });
    // The key's own four are untouched by the three refusals.
    expect(await verifyCodes(owner, key.secret, 5)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
  });

  it("holds the customer's concurrency across its keys, giving the key's slot back when the customer is full", async () => {
    const customer = await customerWith({ concurrency: 1 });
    const a = await keyWithPolicy(owner, app, { concurrency: 5 }, { customerId: customer.id });
    const b = await keyWithPolicy(owner, app, { concurrency: 1 }, { customerId: customer.id });
    const held = await owner.verifyKey(a.secret);
    expect(held).toMatchObject({ code: 'VALID', leaseId: expect.stringMatching(/^lease_/) });
    expect((await owner.verifyKey(b.secret)).code).toBe('RATE_LIMITED');
    expect(await releaseLease(api, workspace.secret, held.leaseId as string)).toBe(true);
    // b's own single slot was given back when the customer refused it.
    const next = await owner.verifyKey(b.secret);
    expect(next.code).toBe('VALID');
    expect(await releaseLease(api, workspace.secret, next.leaseId as string)).toBe(true);
  });

  it("refuses every key of the customer once their spend together reaches the customer's daily cap", async () => {
    const customer = await customerWith({ dailySpendLimit: 1 });
    const [a, b] = await Promise.all([0, 1].map(() => keyWithPolicy(owner, app, undefined, { customerId: customer.id })));
    expect((await owner.verifyKey(a.secret, { cost: 0.6 })).code).toBe('VALID');
    expect((await owner.verifyKey(b.secret, { cost: 0.6 })).code).toBe('VALID');
    // a last: a key refused after the cap was reached did not reach it.
    for (const key of [b, a]) {
      await eventually(async () => expect((await owner.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED'), { timeoutMs: 3_000 });
    }
    const outsider = await keyWithPolicy(owner, app, undefined);
    expect((await owner.verifyKey(outsider.secret, { cost: 5 })).code).toBe('VALID');
    // One usage.limit_reached for the customer and day, naming the customer and the key that reached it (b).
    const day = new Date().toISOString().slice(0, 10);
    const events = await eventually(async () => {
      const rows = await sql<{ customer_id: string; data: Record<string, unknown> }>(
        `SELECT customer_id, data FROM webhook_events WHERE dedupe_key = $1`,
        [`usage.limit_reached:${customer.id}:${day}`],
      );
      expect(rows).toHaveLength(1);
      return rows;
    }, { timeoutMs: 5_000 });
    expect(events[0]).toEqual({
      customer_id: customer.id,
      data: { limitOf: 'customer', keyId: b.id, appId: app.id, customerId: customer.id, day, spent: 1.2, limit: 1 },
    });
  });

  it("counts a customer's spend from before it had a policy: a cap set later today starts from it", async () => {
    const customer = await customerWith(undefined);
    const key = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    expect((await owner.verifyKey(key.secret, { cost: 5 })).code).toBe('VALID');
    await owner.customers.update(customer.id, { policy: { dailySpendLimit: 1 } });
    // Without a cost, so that only the earlier spend can reach the cap.
    await eventually(async () => expect((await owner.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED'), { timeoutMs: 5_000 });
  });

  it('applies a changed customer policy at once to keys already in use', async () => {
    await awayFromWindowEdge(60_000, 15_000);
    const customer = await customerWith(undefined);
    const key = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    await owner.customers.update(customer.id, { policy: { rateLimits: { perMinute: 1 } } });
    expect(await verifyCodes(owner, key.secret, 2)).toEqual(['VALID', 'RATE_LIMITED']);
  });
});
