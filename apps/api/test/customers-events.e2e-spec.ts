import { type App, type Keywarden, type KeyEventData, verifyWebhook } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectApiError,
  type ReceivedWebhook,
  startApi,
  uniqueName,
  WebhookReceiver,
  type Workspace,
} from './harness';
import { CATALOG, keyWithPolicy } from './policy/helpers';

/**
 * What names the customer of a key beyond verify: usage by customer (through the run's
 * worker), the access log, events, and customer-scoped webhook endpoints.
 */

const CONVERGE = { timeoutMs: 15_000, intervalMs: 100 };

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let receiver: WebhookReceiver;
let app: App;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  api = await startApi();
  workspace = await bootstrapWorkspace('customers-events');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('customers-events-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
});

function hourWindow(): { granularity: 'hour'; from: string; to: string } {
  const now = Date.now();
  return { granularity: 'hour', from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 3_600_000).toISOString() };
}

function received(path: string, count: number): Promise<ReceivedWebhook[]> {
  return eventually(async () => {
    const requests = receiver.at(path);
    expect(requests.length).toBeGreaterThanOrEqual(count);
    return requests;
  }, CONVERGE);
}

function headersOf(request: ReceivedWebhook): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
}

describe('usage by customer', () => {
  it("sums the customer's keys, groups by customer, and names the customer in the access log", async () => {
    const [first, second] = await Promise.all([0, 1].map(() => owner.customers.create({ externalId: uniqueName('acct') })));
    const a = await keyWithPolicy(owner, app, undefined, { customerId: first.id });
    const b = await keyWithPolicy(owner, app, undefined, { customerId: first.id });
    const c = await keyWithPolicy(owner, app, undefined, { customerId: second.id });
    const loose = await keyWithPolicy(owner, app, undefined);
    for (const key of [a, a, b, c, loose]) expect((await owner.verifyKey(key.secret, { cost: 0.25, units: 10 })).code).toBe('VALID');

    const usage = await eventually(async () => {
      const answer = await owner.usage.query({ customerId: first.id, ...hourWindow() });
      expect(answer.totals).toEqual({ requests: 3, units: 30, cost: 0.75 });
      return answer;
    }, CONVERGE);
    expect(usage.series).toHaveLength(1);

    // The five verifies may reach the rollups in different batches: wait for all of them.
    const grouped = await eventually(async () => {
      const answer = await owner.usage.query({ appId: app.id, groupBy: 'customer', ...hourWindow() });
      expect(answer.totals.requests).toBe(5);
      return answer;
    }, CONVERGE);
    const byCustomer = Object.fromEntries(grouped.series.map((point) => [point.customer, point.requests]));
    expect(byCustomer).toEqual({ [first.id]: 3, [second.id]: 1, '': 1 });

    const [entry] = (await owner.keys.requests(c.id)).data;
    expect(entry).toMatchObject({ kind: 'verify', outcome: 'VALID', customerId: second.id });
    expect((await owner.keys.requests(loose.id)).data[0].customerId).toBeNull();
  });

  it("counts the requests a customer's key makes itself (GET /v1/me) in the customer's usage and access log", async () => {
    const customer = await owner.customers.create({ externalId: uniqueName('acct') });
    const key = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    await client(api.baseUrl, key.secret).me();
    await eventually(async () => {
      expect((await owner.usage.query({ customerId: customer.id, ...hourWindow() })).totals.requests).toBe(1);
    }, CONVERGE);
    const [entry] = (await owner.keys.requests(key.id)).data;
    expect(entry).toMatchObject({ kind: 'request', route: 'GET /v1/me', customerId: customer.id });
  });

  it('answers 404 for the usage of another workspace\'s customer and 400 for two subjects', async () => {
    const other = await bootstrapWorkspace('customers-events-other');
    const foreign = await client(api.baseUrl, other.secret).customers.create({ externalId: uniqueName('acct') });
    await expectApiError(owner.usage.query({ customerId: foreign.id, ...hourWindow() }), { status: 404, code: 'NOT_FOUND', message: 'Customer not found' });
    await expectApiError(owner.usage.query({ customerId: foreign.id, appId: app.id, ...hourWindow() }), { status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('customer-scoped webhook endpoints', () => {
  it("deliver only events about that customer's keys, while an app-wide endpoint gets them all", async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('scoped-hooks'), scopeCatalog: CATALOG });
    const [first, second] = await Promise.all([0, 1].map(() => owner.customers.create({ externalId: uniqueName('acct') })));
    const firstEndpoint = await owner.webhooks.create({ appId: hookApp.id, url: `${receiver.baseUrl}/first`, customerId: first.id });
    const secondEndpoint = await owner.webhooks.create({ appId: hookApp.id, url: `${receiver.baseUrl}/second`, customerId: second.id });
    await owner.webhooks.create({ appId: hookApp.id, url: `${receiver.baseUrl}/everything` });
    expect(firstEndpoint.customerId).toBe(first.id);

    const firstKey = await keyWithPolicy(owner, hookApp, undefined, { customerId: first.id });
    const secondKey = await keyWithPolicy(owner, hookApp, undefined, { customerId: second.id });
    await keyWithPolicy(owner, hookApp, undefined);

    await received('/everything', 3);
    const [toFirst] = await received('/first', 1);
    const [toSecond] = await received('/second', 1);
    const firstEvent = verifyWebhook<KeyEventData>(toFirst.body, headersOf(toFirst), firstEndpoint.secret);
    const secondEvent = verifyWebhook<KeyEventData>(toSecond.body, headersOf(toSecond), secondEndpoint.secret);
    expect(firstEvent).toMatchObject({ type: 'key.created', data: { keyId: firstKey.id, customerId: first.id } });
    expect(secondEvent).toMatchObject({ type: 'key.created', data: { keyId: secondKey.id, customerId: second.id } });
    // Every event was dispatched by now (the app-wide endpoint got all three): nothing else is on its way.
    await eventually(async () => {
      const pending = await owner.webhooks.deliveries(firstEndpoint.id);
      expect(pending.data.map((delivery) => delivery.status)).toEqual(['succeeded']);
    }, CONVERGE);
    expect(receiver.at('/first')).toHaveLength(1);
    expect(receiver.at('/second')).toHaveLength(1);
  });

  it("keep a customer's canary from its endpoints: only app-wide endpoints hear of it", async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('canary-hooks'), scopeCatalog: CATALOG });
    const customer = await owner.customers.create({ externalId: uniqueName('acct') });
    const customerEndpoint = await owner.webhooks.create({ appId: hookApp.id, url: `${receiver.baseUrl}/canary-customer`, customerId: customer.id });
    await owner.webhooks.create({ appId: hookApp.id, url: `${receiver.baseUrl}/canary-all` });
    const canary = await owner.keys.create({ appId: hookApp.id, name: uniqueName('decoy'), environment: 'live', scopes: [CATALOG[0]], customerId: customer.id, canary: true });
    const genuine = await keyWithPolicy(owner, hookApp, undefined, { customerId: customer.id });

    const everything = await received('/canary-all', 2);
    expect(everything.map((request) => (JSON.parse(request.body) as { data: KeyEventData }).data.keyId).sort()).toEqual([canary.id, genuine.id].sort());
    await received('/canary-customer', 1);
    // Every event was dispatched by now (the app-wide endpoint got both): nothing else is on its way.
    await eventually(async () => {
      expect((await owner.webhooks.deliveries(customerEndpoint.id)).data.map((delivery) => delivery.status)).toEqual(['succeeded']);
    }, CONVERGE);
    expect(receiver.at('/canary-customer').map((request) => (JSON.parse(request.body) as { data: KeyEventData }).data.keyId)).toEqual([genuine.id]);
  });

  it("refuse alert.canary_used on a customer's endpoint, which would never deliver it: on create and on update (the portal creates through the same path)", async () => {
    const customer = await owner.customers.create({ externalId: uniqueName('acct') });
    const refused = { status: 400, code: 'VALIDATION_FAILED' } as const;
    await expectApiError(
      owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/never`, customerId: customer.id, eventTypes: ['key.revoked', 'alert.canary_used'] }),
      refused,
    );
    const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/customer-typed`, customerId: customer.id, eventTypes: ['key.revoked'] });
    await expectApiError(owner.webhooks.update(endpoint.id, { eventTypes: ['alert.canary_used'] }), refused);
    expect((await owner.webhooks.get(endpoint.id)).eventTypes).toEqual(['key.revoked']);
    // An app-wide endpoint hears of canaries: it may subscribe.
    const appWide = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/canaries`, eventTypes: ['alert.canary_used'] });
    expect(appWide.eventTypes).toEqual(['alert.canary_used']);
  });

  it('lists endpoints by customer and refuses a customer of another workspace', async () => {
    const customer = await owner.customers.create({ externalId: uniqueName('acct') });
    const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/listed`, customerId: customer.id });
    expect((await owner.webhooks.list({ customerId: customer.id })).data.map((e) => e.id)).toEqual([endpoint.id]);
    const other = await bootstrapWorkspace('customers-hooks-other');
    const foreign = await client(api.baseUrl, other.secret).customers.create({ externalId: uniqueName('acct') });
    await expectApiError(owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/foreign`, customerId: foreign.id }), {
      status: 404,
      code: 'NOT_FOUND',
    });
    expect((await owner.webhooks.list({ appId: app.id, limit: 100 })).data.some((e) => e.url.endsWith('/foreign'))).toBe(false);
  });
});
