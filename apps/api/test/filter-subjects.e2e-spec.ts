import type { Alert, App, AppKey, Customer, Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, expectErrorEnvelope, rawRequest, type RawResponse, startApi, uniqueName, type Workspace } from './harness';

/**
 * An app, key or customer a list or bulk filter names is looked up as a path parameter
 * is: another workspace's, or one that does not exist, is 404 naming it; an app outside
 * an admin key's restriction is 403. A deleted app is still the workspace's.
 */

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let ownApp: App;
let ownCustomer: Customer;
/** Another workspace's app, key and customer. */
let foreignApp: App;
let foreignKey: AppKey;
let foreignCustomer: Customer;
/** Another workspace's admin key (the one that created its app, key and customer). */
let foreignAdminKeyId: string;

const UNKNOWN_APP = 'app_00000000000000000000000000';
const UNKNOWN_CUSTOMER = 'cus_00000000000000000000000000';
const UNKNOWN_ADMIN_KEY = 'akey_00000000000000000000000000';

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('filter-subjects');
  owner = client(api.baseUrl, workspace.secret);
  ownApp = await owner.apps.create({ name: uniqueName('own'), scopeCatalog: ['generation.create'] });
  ownCustomer = await owner.customers.create({ externalId: uniqueName('own') });
  const otherWorkspace = await bootstrapWorkspace('filter-subjects-other');
  foreignAdminKeyId = otherWorkspace.keyId;
  const other = client(api.baseUrl, otherWorkspace.secret);
  foreignApp = await other.apps.create({ name: uniqueName('theirs'), scopeCatalog: ['generation.create'] });
  foreignKey = await other.keys.create({ appId: foreignApp.id, name: 'theirs', environment: 'live', scopes: ['generation.create'] });
  foreignCustomer = await other.customers.create({ externalId: uniqueName('theirs') });
});

afterAll(async () => {
  await api?.stop();
});

function get(path: string, apiKey = workspace.secret): Promise<RawResponse> {
  return rawRequest(api.baseUrl, path, { apiKey });
}

function bulk(filter: object, apiKey = workspace.secret): Promise<RawResponse> {
  return rawRequest(api.baseUrl, '/v1/keys/bulk', { apiKey, body: JSON.stringify({ filter, action: 'disable', dryRun: true }) });
}

describe("another workspace's app, key or customer is 404 naming it", () => {
  it.each([
    ['GET /v1/keys?appId', () => get(`/v1/keys?appId=${foreignApp.id}`), () => `App ${foreignApp.id} not found`],
    ['GET /v1/keys?customerId', () => get(`/v1/keys?customerId=${foreignCustomer.id}`), () => `Customer ${foreignCustomer.id} not found`],
    ['GET /v1/alerts?appId', () => get(`/v1/alerts?appId=${foreignApp.id}`), () => `App ${foreignApp.id} not found`],
    ['GET /v1/alerts?keyId', () => get(`/v1/alerts?keyId=${foreignKey.id}`), () => `Key ${foreignKey.id} not found`],
    ['GET /v1/alerts?customerId', () => get(`/v1/alerts?customerId=${foreignCustomer.id}`), () => `Customer ${foreignCustomer.id} not found`],
    ['GET /v1/webhooks?appId', () => get(`/v1/webhooks?appId=${foreignApp.id}`), () => `App ${foreignApp.id} not found`],
    ['GET /v1/webhooks?customerId', () => get(`/v1/webhooks?customerId=${foreignCustomer.id}`), () => `Customer ${foreignCustomer.id} not found`],
    ['POST /v1/keys/bulk filter.appId', () => bulk({ appId: foreignApp.id }), () => `App ${foreignApp.id} not found`],
    ['POST /v1/keys/bulk filter.customerId', () => bulk({ customerId: foreignCustomer.id }), () => `Customer ${foreignCustomer.id} not found`],
    ['POST /v1/keys/bulk filter.createdBy', () => bulk({ createdBy: foreignAdminKeyId }), () => `Admin key ${foreignAdminKeyId} not found`],
  ])('%s', async (_name, send, message) => {
    expectErrorEnvelope(await send(), { status: 404, code: 'NOT_FOUND', message: message() });
  });
});

describe('an app or customer that does not exist is 404 naming it', () => {
  it('POST /v1/keys/bulk filter.appId', async () => {
    expectErrorEnvelope(await bulk({ appId: UNKNOWN_APP }), { status: 404, code: 'NOT_FOUND', message: `App ${UNKNOWN_APP} not found` });
  });

  it('POST /v1/keys/bulk filter.customerId', async () => {
    expectErrorEnvelope(await bulk({ customerId: UNKNOWN_CUSTOMER }), { status: 404, code: 'NOT_FOUND', message: `Customer ${UNKNOWN_CUSTOMER} not found` });
  });

  it('POST /v1/keys/bulk filter.createdBy', async () => {
    expectErrorEnvelope(await bulk({ createdBy: UNKNOWN_ADMIN_KEY }), { status: 404, code: 'NOT_FOUND', message: `Admin key ${UNKNOWN_ADMIN_KEY} not found` });
  });

  it('GET /v1/keys?customerId', async () => {
    expectErrorEnvelope(await get(`/v1/keys?customerId=${UNKNOWN_CUSTOMER}`), { status: 404, code: 'NOT_FOUND', message: `Customer ${UNKNOWN_CUSTOMER} not found` });
  });
});

describe("the workspace's own", () => {
  it('an app and a customer with nothing to list are an empty list', async () => {
    for (const path of [`/v1/keys?appId=${ownApp.id}&customerId=${ownCustomer.id}`, `/v1/alerts?appId=${ownApp.id}&customerId=${ownCustomer.id}`, `/v1/webhooks?customerId=${ownCustomer.id}`]) {
      const response = await get(path);
      expect({ path, status: response.status, body: response.json }).toEqual({ path, status: 200, body: { data: [], nextCursor: null } });
    }
  });

  it('a bulk filter on them matches their keys', async () => {
    const key = await owner.keys.create({ appId: ownApp.id, name: 'held', environment: 'live', scopes: ['generation.create'], customerId: ownCustomer.id });
    const response = await bulk({ appId: ownApp.id, customerId: ownCustomer.id });
    expect({ status: response.status, body: response.json }).toMatchObject({ status: 200, body: { matched: 1, keyIds: [key.id] } });
  });

  it('a bulk filter on an admin key of the workspace, revoked too, matches the keys it created', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('member'), role: 'admin' });
    const created = await client(api.baseUrl, member.secret).keys.create({ appId: ownApp.id, name: 'by member', environment: 'live', scopes: ['generation.create'] });
    await owner.adminKeys.revoke(member.id);
    const response = await bulk({ createdBy: member.id });
    expect({ status: response.status, body: response.json }).toMatchObject({ status: 200, body: { matched: 1, keyIds: [created.id] } });
  });

  it("a deleted app's keys and alerts are still listed by its id", async () => {
    const doomed = await owner.apps.create({ name: uniqueName('doomed'), scopeCatalog: ['generation.create'] });
    const key = await owner.keys.create({ appId: doomed.id, name: 'doomed', environment: 'live', scopes: ['generation.create'] });
    await owner.apps.delete(doomed.id);
    const keys = await get(`/v1/keys?appId=${doomed.id}`);
    expect({ status: keys.status, ids: (keys.json as { data: AppKey[] }).data.map((listed) => listed.id) }).toEqual({ status: 200, ids: [key.id] });
    const alerts = await get(`/v1/alerts?appId=${doomed.id}`);
    expect({ status: alerts.status, data: (alerts.json as { data: Alert[] }).data }).toEqual({ status: 200, data: [] });
  });

  it("an app outside an admin key's restriction is 403 naming it, as on its own routes", async () => {
    const elsewhere = await owner.apps.create({ name: uniqueName('elsewhere') });
    const restricted = await owner.adminKeys.create({ name: uniqueName('restricted'), role: 'admin', appIds: [ownApp.id] });
    for (const response of [await get(`/v1/keys?appId=${elsewhere.id}`, restricted.secret), await bulk({ appId: elsewhere.id }, restricted.secret)]) {
      expectErrorEnvelope(response, { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: `API key is not allowed to act on app ${elsewhere.id}` });
    }
  });
});
