import type { App, AppKey, Customer, Keywarden } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  rawRequest,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';
import { CATALOG, keyWithPolicy } from './policy/helpers';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('customers');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('customers-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await api?.stop();
});

function newCustomer(fields: Partial<Parameters<Keywarden['customers']['create']>[0]> = {}): Promise<Customer> {
  return owner.customers.create({ externalId: uniqueName('acct'), ...fields });
}

describe('customers CRUD', () => {
  it('creates a customer with a cus_ id, active, and reads it back by id and by externalId', async () => {
    const externalId = uniqueName('acct');
    const created = await owner.customers.create({ externalId, name: 'Acme', metadata: { plan: 'gold' }, policy: { rateLimits: { perMinute: 5 }, dailySpendLimit: 2.5 } });
    expect(created).toMatchObject({ externalId, name: 'Acme', metadata: { plan: 'gold' }, status: 'active', policy: { rateLimits: { perMinute: 5 }, dailySpendLimit: 2.5 } });
    expect(created.id).toMatch(/^cus_[0-9a-z]{26}$/);
    expect(await owner.customers.get(created.id)).toEqual(created);
    expect(await owner.customers.get(externalId)).toEqual(created);
    expect((await owner.customers.list({ externalId })).data).toEqual([created]);
  });

  it('answers 409 for a second customer with the same externalId, and for renaming onto a taken one', async () => {
    const first = await newCustomer();
    await expectApiError(owner.customers.create({ externalId: first.externalId }), {
      status: 409,
      code: 'CONFLICT',
      message: `A customer with externalId ${first.externalId} already exists in this workspace`,
    });
    const second = await newCustomer();
    await expectApiError(owner.customers.update(second.id, { externalId: first.externalId }), { status: 409, code: 'CONFLICT' });
    expect((await owner.customers.get(second.id)).externalId).toBe(second.externalId);
  });

  it('lets another workspace use the same externalId, and never shows it across workspaces', async () => {
    const mine = await newCustomer();
    const other = await bootstrapWorkspace('customers-other');
    const theirs = await client(api.baseUrl, other.secret).customers.create({ externalId: mine.externalId });
    expect(theirs.id).not.toBe(mine.id);
    await expectApiError(owner.customers.get(theirs.id), { status: 404, code: 'NOT_FOUND', message: 'Customer not found' });
  });

  it('finds customers by part of the name or of the external id, ignoring case and taking % and _ literally', async () => {
    const tag = uniqueName('srch').replace(/-/g, '');
    const byName = await newCustomer({ name: `Globex ${tag} Corporation` });
    const byExternalId = await newCustomer({ externalId: `acct-${tag}-42` });
    const literal = await newCustomer({ name: `${tag} 100%_off` });
    await newCustomer({ name: 'Initech' });
    const found = await owner.customers.list({ search: tag.toUpperCase(), limit: 100 });
    expect(found.data.map((customer) => customer.id).sort()).toEqual([byName.id, byExternalId.id, literal.id].sort());
    expect((await owner.customers.list({ search: `${tag} 100%_` })).data.map((customer) => customer.id)).toEqual([literal.id]);
    expect((await owner.customers.list({ search: `${tag}%` })).data).toEqual([]);
  });

  it('answers 400 for an empty search or one longer than any name', async () => {
    for (const search of ['', 'x'.repeat(201)]) {
      const response = await rawRequest(api.baseUrl, `/v1/customers?search=${search}`, { apiKey: workspace.secret });
      expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
      expect(detailFields(response)).toEqual(['search']);
    }
  });

  it("refuses an externalId of the form of a customer id, which would name another customer", async () => {
    const existing = await newCustomer();
    const refused = { status: 400, code: 'VALIDATION_FAILED', message: /externalId must not have the form of a customer id/ } as const;
    await expectApiError(newCustomer({ externalId: existing.id }), refused);
    await expectApiError(owner.customers.update((await newCustomer()).id, { externalId: 'cus_01jz0000000000000000000000' }), refused);
    // Other ids that merely start alike (e.g. another billing system's) are the platform's to use.
    expect((await newCustomer({ externalId: `cus_NffrFeUfNV2Hib${Date.now()}` })).externalId).toMatch(/^cus_Nffr/);
  });

  it('answers 404 for an unknown id or externalId', async () => {
    await expectApiError(owner.customers.get('cus_00000000000000000000000000'), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(owner.customers.suspend(uniqueName('nobody')), { status: 404, code: 'NOT_FOUND' });
  });

  it('refuses a policy whose limits contradict each other, and writes nothing', async () => {
    const externalId = uniqueName('acct');
    const response = await rawRequest(api.baseUrl, '/v1/customers', {
      apiKey: workspace.secret,
      body: JSON.stringify({ externalId, policy: { rateLimits: { perMinute: 100, perHour: 50 } } }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /policy\.rateLimits\.perMinute must not exceed perHour \(50\)/ });
    expect(detailFields(response)).toEqual(['policy.rateLimits.perMinute']);
    expect((await owner.customers.list({ externalId })).data).toEqual([]);

    const customer = await newCustomer({ policy: { concurrency: 2 } });
    await expectApiError(owner.customers.update(customer.id, { name: 'changed', policy: { rateLimits: { burst: 10, perMinute: 5 } } }), {
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await owner.customers.get(customer.id)).toEqual(customer);
  });

  it.each([
    ['an externalId with a space', { externalId: 'has space' }, 'externalId'],
    ['a negative spend cap', { externalId: 'x1', policy: { dailySpendLimit: -1 } }, 'policy.dailySpendLimit'],
    ['a zero concurrency', { externalId: 'x2', policy: { concurrency: 0 } }, 'policy.concurrency'],
    ['an unknown field', { externalId: 'x3', plan: 'pro' }, 'plan'],
  ])('answers 400 for %s', async (_label, body, field) => {
    const response = await rawRequest(api.baseUrl, '/v1/customers', { apiKey: workspace.secret, body: JSON.stringify(body) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toContain(field);
  });

  it('deletes a customer only once it holds no live key', async () => {
    const customer = await newCustomer();
    const key = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    await expectApiError(owner.customers.delete(customer.externalId), { status: 409, code: 'CONFLICT' });
    await owner.keys.revoke(key.id);
    await owner.customers.delete(customer.externalId);
    await expectApiError(owner.customers.get(customer.id), { status: 404, code: 'NOT_FOUND' });
    expect((await owner.keys.get(key.id)).customerId).toBeNull();
  });

  it('offboarding: after a bulk revoke by customer, a canary still held says it is one and where to find it', async () => {
    const customer = await newCustomer();
    await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    const canary = await keyWithPolicy(owner, app, undefined, { customerId: customer.id, canary: true });
    // Bulk filters and key listings leave canaries out.
    expect(await owner.keys.bulk({ filter: { customerId: customer.id }, action: 'revoke' })).toMatchObject({ matched: 1, changed: 1 });
    expect((await owner.keys.list({ customerId: customer.id })).data.filter((key) => key.status !== 'revoked')).toEqual([]);
    const refused = await rawRequest(api.baseUrl, `/v1/customers/${customer.id}`, { method: 'DELETE', apiKey: workspace.secret });
    expectErrorEnvelope(refused, {
      status: 409,
      code: 'CONFLICT',
      message: `Customer still holds 1 key(s) that are not revoked, 1 of them canary keys (GET /v1/keys?canary=true&customerId=${customer.id}); revoke them or move them to another customer first`,
    });
    expect((await owner.keys.list({ canary: true, customerId: customer.id })).data.map((key) => key.id)).toEqual([canary.id]);
    await owner.keys.revoke(canary.id);
    await owner.customers.delete(customer.id);
  });

  it('records every change in the audit log', async () => {
    const customer = await newCustomer();
    await owner.customers.update(customer.id, { name: 'Renamed' });
    await owner.customers.suspend(customer.id);
    await owner.customers.resume(customer.id);
    const entries = (await owner.audit.list({ targetId: customer.id })).data;
    expect(entries.map((entry) => entry.action)).toEqual(['customer.resumed', 'customer.suspended', 'customer.updated', 'customer.created']);
    expect(entries.every((entry) => entry.actor === workspace.keyId && entry.actorKeyId === workspace.keyId)).toBe(true);
  });

  it('names only the fields an update changed', async () => {
    const customer = await newCustomer();
    await owner.customers.update(customer.id, { metadata: { tier: 'gold' } });
    const [entry] = (await owner.audit.list({ targetId: customer.id, action: 'customer.updated' })).data;
    expect(entry.details).toEqual({ fields: ['metadata'] });
  });

  it('records nothing for an update that changes nothing, and only the fields that did change', async () => {
    const customer = await newCustomer();
    await owner.customers.update(customer.id, {});
    await owner.customers.update(customer.id, { name: customer.name });
    expect((await owner.audit.list({ targetId: customer.id, action: 'customer.updated' })).data).toEqual([]);

    await owner.customers.update(customer.id, { name: customer.name, metadata: { tier: 'silver' } });
    const entries = (await owner.audit.list({ targetId: customer.id, action: 'customer.updated' })).data;
    expect(entries.map((entry) => entry.details)).toEqual([{ fields: ['metadata'] }]);
  });
});

describe('customer scopes', () => {
  it('lets a viewer read customers but not change them', async () => {
    const customer = await newCustomer();
    const viewer = await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    const asViewer = client(api.baseUrl, viewer.secret);
    expect((await asViewer.customers.get(customer.id)).id).toBe(customer.id);
    await expectApiError(asViewer.customers.suspend(customer.id), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /customers\.write/,
    });
  });
});

describe('API keys limited to some apps', () => {
  it("change a customer only while it holds no key of another app: its keys there stay as they were", async () => {
    const otherApp = await owner.apps.create({ name: uniqueName('customers-other-app'), scopeCatalog: CATALOG });
    const customer = await newCustomer();
    const ownKey = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    const restricted = client(api.baseUrl, (await owner.adminKeys.create({ name: uniqueName('one-app'), role: 'admin', appIds: [app.id] })).secret);
    // While every key of the customer is in its app, the restricted key manages the customer.
    expect((await restricted.customers.update(customer.id, { name: 'Renamed' })).name).toBe('Renamed');

    const elsewhere = await keyWithPolicy(owner, otherApp, undefined, { customerId: customer.id });
    const refused = { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: `API key is not allowed to act on app ${otherApp.id} (customer ${customer.id} holds keys of it)` } as const;
    await expectApiError(restricted.customers.suspend(customer.id), refused);
    await expectApiError(restricted.customers.update(customer.id, { policy: { rateLimits: { perMinute: 1 } } }), refused);
    await expectApiError(restricted.customers.delete(customer.id), refused);
    for (const key of [ownKey, elsewhere, elsewhere]) expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    expect(await owner.customers.get(customer.id)).toMatchObject({ status: 'active', policy: null });
  });

  it("delete a customer only while its webhook endpoints are all in their apps: another app's endpoint stays", async () => {
    const otherApp = await owner.apps.create({ name: uniqueName('customers-other-app'), scopeCatalog: CATALOG });
    const customer = await newCustomer();
    const restricted = client(api.baseUrl, (await owner.adminKeys.create({ name: uniqueName('one-app'), role: 'admin', appIds: [app.id] })).secret);
    const elsewhere = await owner.webhooks.create({ appId: otherApp.id, url: 'https://example.com/customer-hooks', customerId: customer.id });

    await expectApiError(restricted.customers.delete(customer.id), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: `API key is not allowed to act on app ${otherApp.id} (customer ${customer.id} has webhook endpoints of it)`,
    });
    expect((await owner.customers.get(customer.id)).id).toBe(customer.id);
    expect((await owner.webhooks.get(elsewhere.id)).customerId).toBe(customer.id);

    // Once the endpoint is gone, the restricted key deletes the customer.
    await owner.webhooks.delete(elsewhere.id);
    await restricted.customers.delete(customer.id);
    await expectApiError(owner.customers.get(customer.id), { status: 404, code: 'NOT_FOUND' });
  });
});

describe('keys held by customers', () => {
  it('gives a key to a customer by customerId or by externalId, and lists keys by customer', async () => {
    const customer = await newCustomer();
    const byId = await keyWithPolicy(owner, app, undefined, { customerId: customer.id });
    const byExternal = await keyWithPolicy(owner, app, undefined, { externalId: customer.externalId });
    await keyWithPolicy(owner, app, undefined);
    expect([byId.customerId, byExternal.customerId]).toEqual([customer.id, customer.id]);
    const listed = await owner.keys.list({ customerId: customer.id });
    expect(listed.data.map((key) => key.id).sort()).toEqual([byId.id, byExternal.id].sort());
  });

  it('answers 404 for an unknown externalId and 400 for both selectors, issuing no key', async () => {
    const before = (await owner.keys.list({ appId: app.id, limit: 100 })).data.length;
    const unknown = uniqueName('ghost');
    await expectApiError(keyWithPolicy(owner, app, undefined, { externalId: unknown }), {
      status: 404,
      code: 'NOT_FOUND',
      message: `Customer not found (externalId ${unknown}) in this workspace`,
    });
    const customer = await newCustomer();
    await expectApiError(keyWithPolicy(owner, app, undefined, { customerId: customer.id, externalId: customer.externalId }), {
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect((await owner.keys.list({ appId: app.id, limit: 100 })).data.length).toBe(before);
  });

  function createKeyWith(fields: Record<string, unknown>) {
    return rawRequest(api.baseUrl, '/v1/keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ appId: app.id, name: 'null-customer', environment: 'live', scopes: ['generation.create'], ...fields }),
    });
  }

  it('issues a key of no customer for a customerId sent as null, as when it is left out', async () => {
    const response = await createKeyWith({ customerId: null });
    expect(response.status).toBe(201);
    const created = response.json as AppKey;
    expect(created.customerId).toBeNull();
    expect((await owner.keys.get(created.id)).customerId).toBeNull();
  });

  it('answers 400 for an externalId sent as null, issuing no key', async () => {
    const before = (await owner.keys.list({ appId: app.id, limit: 100 })).data.length;
    const response = await createKeyWith({ externalId: null });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toEqual(['externalId']);
    expect((await owner.keys.list({ appId: app.id, limit: 100 })).data.length).toBe(before);
  });

  it('moves a key between customers of the workspace, refuses one of another workspace and leaves the key as it was', async () => {
    const [first, second] = await Promise.all([newCustomer(), newCustomer()]);
    const key = await keyWithPolicy(owner, app, undefined, { customerId: first.id });
    expect((await owner.keys.update(key.id, { customerId: second.id })).customerId).toBe(second.id);
    const other = await bootstrapWorkspace('customers-foreign');
    const foreign = await client(api.baseUrl, other.secret).customers.create({ externalId: uniqueName('acct') });
    await expectApiError(owner.keys.update(key.id, { name: 'half-written?', customerId: foreign.id }), {
      status: 404,
      code: 'NOT_FOUND',
      message: `Customer not found (customerId ${foreign.id}) in this workspace`,
    });
    const after = await owner.keys.get(key.id);
    expect({ name: after.name, customerId: after.customerId }).toEqual({ name: key.name, customerId: second.id });
    expect((await owner.keys.update(key.id, { customerId: null })).customerId).toBeNull();
  });
});

describe('suspension', () => {
  it('refuses every key of a suspended customer as KEY_DISABLED on every instance at once, and resuming lifts it', async () => {
    const other = await startApi({ KW_KEY_CACHE_TTL_MS: '300000' });
    try {
      const customer = await newCustomer();
      const keys = await Promise.all([0, 1].map(() => keyWithPolicy(owner, app, undefined, { customerId: customer.id })));
      const viaOther = client(other.baseUrl, workspace.secret);
      // Both instances have the keys cached (the other for five minutes).
      for (const sdk of [owner, viaOther]) for (const key of keys) expect((await sdk.verifyKey(key.secret)).code).toBe('VALID');

      expect((await owner.customers.suspend(customer.id)).status).toBe('suspended');
      for (const sdk of [owner, viaOther]) {
        for (const key of keys) {
          await eventually(async () => expect(await sdk.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_DISABLED', customer: { id: customer.id } }), { timeoutMs: 2_000, intervalMs: 20 });
        }
      }
      // The keys themselves are untouched: suspension is the customer's state.
      expect((await owner.keys.get(keys[0].id)).status).toBe('active');

      await owner.customers.resume(customer.externalId);
      for (const sdk of [owner, viaOther]) {
        for (const key of keys) {
          await eventually(async () => expect((await sdk.verifyKey(key.secret)).code).toBe('VALID'), { timeoutMs: 2_000, intervalMs: 20 });
        }
      }
    } finally {
      await other.stop();
    }
  });
});
