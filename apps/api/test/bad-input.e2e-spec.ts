import type { ErrorCode } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  errorDetails,
  expectErrorEnvelope,
  KEY_SHAPE,
  rawRequest,
  type RawRequest,
  type RawResponse,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Raw HTTP on purpose: the SDK would never send these. Every case checks the status, the
 * exact error envelope, and that the real key planted in the request never comes back.
 */

interface Context {
  appId: string;
  keyId: string;
  /** A real, issued app key, planted in bad requests. */
  leak: string;
}

interface Case {
  name: string;
  method: string;
  path: (ctx: Context) => string;
  /** A raw body, or a value sent as JSON. */
  body?: (ctx: Context) => unknown;
  raw?: (ctx: Context) => string;
  headers?: Record<string, string>;
  /** Omit the admin key. */
  anonymous?: boolean;
  status: number;
  code: ErrorCode;
  /** For VALIDATION_FAILED: fields that must be among the details. */
  fields?: string[];
}

type CaseInput = Omit<Case, 'status' | 'code'>;

/** Cases that all expect the same status and code. */
function expecting(status: number, code: ErrorCode, items: CaseInput[]): Case[] {
  return items.map((item) => ({ ...item, status, code }));
}

let api: ApiProcess;
let workspace: Workspace;
const ctx = {} as Context;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('bad-input');
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('bad-input-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'planted', environment: 'live', scopes: ['generation.create'] });
  Object.assign(ctx, { appId: app.id, keyId: key.id, leak: key.secret });
});

afterAll(async () => {
  await api?.stop();
});

/** Routes that take a JSON body, with a body they would accept. */
const BODY_ROUTES: Array<{ route: string; method: string; path: (c: Context) => string; valid: (c: Context) => Record<string, unknown> }> = [
  { route: 'POST /v1/apps', method: 'POST', path: () => '/v1/apps', valid: () => ({ name: uniqueName('ok') }) },
  { route: 'PATCH /v1/apps/:id', method: 'PATCH', path: (c) => `/v1/apps/${c.appId}`, valid: () => ({ timezone: 'UTC' }) },
  {
    route: 'POST /v1/keys',
    method: 'POST',
    path: () => '/v1/keys',
    valid: (c) => ({ appId: c.appId, name: 'ok', environment: 'live', scopes: ['generation.create'] }),
  },
  { route: 'PATCH /v1/keys/:id', method: 'PATCH', path: (c) => `/v1/keys/${c.keyId}`, valid: () => ({ name: 'ok' }) },
  { route: 'POST /v1/keys/:id/rotate', method: 'POST', path: (c) => `/v1/keys/${c.keyId}/rotate`, valid: () => ({ gracePeriodSeconds: 60 }) },
  { route: 'POST /v1/keys/verify', method: 'POST', path: () => '/v1/keys/verify', valid: (c) => ({ key: c.leak }) },
  { route: 'POST /v1/admin-keys', method: 'POST', path: () => '/v1/admin-keys', valid: () => ({ name: 'ok', role: 'viewer' }) },
];

const HUGE = 70 * 1024;

const bodyShapeCases: Case[] = BODY_ROUTES.flatMap(({ route, method, path, valid }) => [
  { name: `${route}: malformed JSON`, method, path, raw: (c) => `{"name": "${c.leak}", `, status: 400, code: 'VALIDATION_FAILED' as const },
  { name: `${route}: JSON null`, method, path, body: () => null, status: 400, code: 'VALIDATION_FAILED' as const, fields: ['body'] },
  { name: `${route}: a JSON array`, method, path, body: (c) => [c.leak], status: 400, code: 'VALIDATION_FAILED' as const, fields: ['body'] },
  { name: `${route}: a JSON string`, method, path, body: (c) => c.leak, status: 400, code: 'VALIDATION_FAILED' as const, fields: ['body'] },
  { name: `${route}: a JSON number`, method, path, body: () => 42, status: 400, code: 'VALIDATION_FAILED' as const, fields: ['body'] },
  {
    name: `${route}: an unknown field`,
    method,
    path,
    body: (c) => ({ ...valid(c), sneaky: c.leak }),
    status: 400,
    code: 'VALIDATION_FAILED' as const,
    fields: ['sneaky'],
  },
  {
    name: `${route}: a key used as a field name`,
    method,
    path,
    body: (c) => ({ ...valid(c), [c.leak]: true }),
    status: 400,
    code: 'VALIDATION_FAILED' as const,
  },
  {
    name: `${route}: a body over 64 KiB`,
    method,
    path,
    body: (c) => ({ ...valid(c), padding: c.leak.repeat(Math.ceil(HUGE / c.leak.length)) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE' as const,
  },
  {
    name: `${route}: text/plain`,
    method,
    path,
    raw: (c) => JSON.stringify(valid(c)),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE' as const,
  },
  {
    name: `${route}: a form instead of JSON`,
    method,
    path,
    raw: (c) => new URLSearchParams({ name: 'form', key: c.leak }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE' as const,
  },
]);

/**
 * Every other route that takes an object body: JSON null was validated as an empty body
 * (a PATCH of it answered 200 and changed nothing), an array as an object of odd fields.
 */
const OTHER_BODY_ROUTES: Array<[method: string, path: (c: Context) => string, anonymous?: boolean]> = [
  ['POST', () => '/v1/keys/bulk'],
  ['POST', () => '/v1/usage'],
  ['POST', () => '/v1/leaks'],
  ['POST', () => '/v1/customers'],
  ['PATCH', () => '/v1/customers/acct-none'],
  ['POST', () => '/v1/webhooks'],
  ['PATCH', () => '/v1/webhooks/ep_00000000000000000000000000'],
  ['POST', () => '/v1/portal/sessions'],
  // Public: the key is in the body.
  ['POST', () => '/v1/console/sessions', true],
];

const otherBodyCases: Case[] = OTHER_BODY_ROUTES.flatMap(([method, path, anonymous]) =>
  expecting(400, 'VALIDATION_FAILED', [
    { name: `${method} ${path(ctx)}: JSON null`, method, path, anonymous, body: () => null, fields: ['body'] },
    { name: `${method} ${path(ctx)}: a JSON array`, method, path, anonymous, body: (c) => [c.leak], fields: ['body'] },
  ]),
);

const fieldCases = expecting(400, 'VALIDATION_FAILED', [
  // POST /v1/apps
  { name: 'create app: name of the wrong type', method: 'POST', path: () => '/v1/apps', body: () => ({ name: 5 }), fields: ['name'] },
  { name: 'create app: missing name', method: 'POST', path: () => '/v1/apps', body: () => ({}), fields: ['name'] },
  { name: 'create app: scopeCatalog not a list', method: 'POST', path: () => '/v1/apps', body: () => ({ name: 'x', scopeCatalog: 'generation.create' }), fields: ['scopeCatalog'] },
  { name: 'create app: management scope in the catalog', method: 'POST', path: () => '/v1/apps', body: () => ({ name: 'x', scopeCatalog: ['keys.read'] }), fields: ['scopeCatalog'] },
  { name: 'create app: unknown timezone holding a key', method: 'POST', path: () => '/v1/apps', body: (c) => ({ name: 'x', timezone: c.leak }), fields: ['timezone'] },
  {
    name: 'create app: business hours of the wrong shape',
    method: 'POST',
    path: () => '/v1/apps',
    body: () => ({ name: 'x', businessHours: { days: 'mon', start: '8', end: 19 } }),
    fields: ['businessHours.days', 'businessHours.start', 'businessHours.end'],
  },
  { name: 'create app: timezone null', method: 'POST', path: () => '/v1/apps', body: () => ({ name: 'x', timezone: null }), fields: ['timezone'] },
  { name: 'create app: environment holding a key', method: 'POST', path: () => '/v1/apps', body: (c) => ({ name: 'x', environments: [c.leak] }), fields: ['environments'] },
  // PATCH /v1/apps/:id
  { name: 'update app: empty name', method: 'PATCH', path: (c) => `/v1/apps/${c.appId}`, body: () => ({ name: '' }), fields: ['name'] },
  {
    name: 'update app: a key as a muted key id',
    method: 'PATCH',
    path: (c) => `/v1/apps/${c.appId}`,
    body: (c) => ({ detection: { mutedKeyIds: [c.leak], sensitivity: c.leak } }),
    fields: ['detection.mutedKeyIds', 'detection.sensitivity'],
  },
  ...['name', 'timezone', 'businessHours', 'scopeCatalog', 'environments', 'detection'].map(
    (field): CaseInput => ({ name: `update app: ${field} null`, method: 'PATCH', path: (c) => `/v1/apps/${c.appId}`, body: () => ({ [field]: null }), fields: [field] }),
  ),
  // POST /v1/keys
  {
    name: 'create key: missing every required field',
    method: 'POST',
    path: () => '/v1/keys',
    body: () => ({}),
    fields: ['appId', 'name', 'environment', 'scopes'],
  },
  {
    name: 'create key: fields of the wrong type',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: 5, name: ['x'], environment: 7, scopes: c.leak, metadata: [1], expiresAt: 123 }),
    fields: ['appId', 'name', 'environment', 'scopes', 'metadata', 'expiresAt'],
  },
  {
    name: 'create key: an expiry in the past',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'live', scopes: ['generation.create'], expiresAt: '2001-01-01T00:00:00Z' }),
    fields: ['expiresAt'],
  },
  {
    name: 'create key: an expiry without a time zone (the server would read it in its own)',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'live', scopes: ['generation.create'], expiresAt: '2099-01-01T10:00:00' }),
    fields: ['expiresAt'],
  },
  {
    name: 'create key: an expiry that is no ISO 8601 date',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'live', scopes: ['generation.create'], expiresAt: 'Jan 1 2099' }),
    fields: ['expiresAt'],
  },
  {
    name: 'create key: a key as group and environment',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: c.leak, scopes: ['generation.create'], group: c.leak }),
    fields: ['environment', 'group'],
  },
  {
    name: 'create key: an environment the app does not have',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'staging', scopes: ['generation.create'] }),
    fields: ['environment'],
  },
  {
    name: 'create key: a key as a scope',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'live', scopes: [c.leak] }),
    fields: ['scopes'],
  },
  {
    name: 'create key: metadata over 4 KiB',
    method: 'POST',
    path: () => '/v1/keys',
    body: (c) => ({ appId: c.appId, name: 'x', environment: 'live', scopes: ['generation.create'], metadata: { blob: 'x'.repeat(5_000) } }),
    fields: ['metadata'],
  },
  // PATCH /v1/keys/:id
  { name: 'update key: empty scopes', method: 'PATCH', path: (c) => `/v1/keys/${c.keyId}`, body: () => ({ scopes: [] }), fields: ['scopes'] },
  { name: 'update key: description of the wrong type', method: 'PATCH', path: (c) => `/v1/keys/${c.keyId}`, body: () => ({ description: 5 }), fields: ['description'] },
  { name: 'update key: a key as metadata', method: 'PATCH', path: (c) => `/v1/keys/${c.keyId}`, body: (c) => ({ metadata: c.leak }), fields: ['metadata'] },
  ...['name', 'scopes', 'metadata'].map(
    (field): CaseInput => ({ name: `update key: ${field} null`, method: 'PATCH', path: (c) => `/v1/keys/${c.keyId}`, body: () => ({ [field]: null }), fields: [field] }),
  ),
  // rotate
  { name: 'rotate: grace as a string', method: 'POST', path: (c) => `/v1/keys/${c.keyId}/rotate`, body: () => ({ gracePeriodSeconds: '60' }), fields: ['gracePeriodSeconds'] },
  // verify
  { name: 'verify: missing key', method: 'POST', path: () => '/v1/keys/verify', body: () => ({}), fields: ['key'] },
  { name: 'verify: key of the wrong type', method: 'POST', path: () => '/v1/keys/verify', body: () => ({ key: 5 }), fields: ['key'] },
  { name: 'verify: empty key', method: 'POST', path: () => '/v1/keys/verify', body: () => ({ key: '' }), fields: ['key'] },
  { name: 'verify: scope of the wrong type', method: 'POST', path: () => '/v1/keys/verify', body: (c) => ({ key: c.leak, scope: 5 }), fields: ['scope'] },
  { name: 'verify: key over 512 characters', method: 'POST', path: () => '/v1/keys/verify', body: (c) => ({ key: c.leak.repeat(20) }), fields: ['key'] },
  // admin keys
  { name: 'create admin key: unknown role', method: 'POST', path: () => '/v1/admin-keys', body: () => ({ name: 'x', role: 'god' }), fields: ['role'] },
  { name: 'create admin key: neither role nor scopes', method: 'POST', path: () => '/v1/admin-keys', body: () => ({ name: 'x' }) },
  { name: 'create admin key: both role and scopes', method: 'POST', path: () => '/v1/admin-keys', body: () => ({ name: 'x', role: 'viewer', scopes: ['keys.read'] }) },
  { name: 'create admin key: a malformed app id', method: 'POST', path: () => '/v1/admin-keys', body: (c) => ({ name: 'x', role: 'viewer', appIds: [c.leak] }), fields: ['appIds'] },
]);

const pathCases = expecting(404, 'NOT_FOUND', [
  { name: 'GET /v1/keys/nope', method: 'GET', path: () => '/v1/keys/nope' },
  { name: 'GET /v1/keys/key_ + 26 chars that do not exist', method: 'GET', path: () => '/v1/keys/key_00000000000000000000000000' },
  { name: 'GET /v1/apps/%00', method: 'GET', path: () => '/v1/apps/%00' },
  { name: 'GET /v1/apps/app_ + 26 chars that do not exist', method: 'GET', path: () => '/v1/apps/app_00000000000000000000000000' },
  { name: 'GET /v1/keys/<an app id>', method: 'GET', path: (c) => `/v1/keys/${c.appId}` },
  { name: 'GET /v1/keys/<the secret itself>', method: 'GET', path: (c) => `/v1/keys/${c.leak}` },
  { name: 'GET /v1/keys/<an id longer than any id, holding the secret>', method: 'GET', path: (c) => `/v1/keys/${c.leak.repeat(3)}` },
  { name: 'PATCH /v1/keys/nope', method: 'PATCH', path: () => '/v1/keys/nope', body: () => ({ name: 'x' }) },
  { name: 'POST /v1/keys/nope/rotate', method: 'POST', path: () => '/v1/keys/nope/rotate', body: () => ({}) },
  { name: 'POST /v1/keys/key_…/revoke of a key that does not exist', method: 'POST', path: () => '/v1/keys/key_00000000000000000000000000/revoke' },
  { name: 'DELETE /v1/apps/%00', method: 'DELETE', path: () => '/v1/apps/%00' },
  { name: 'DELETE /v1/admin-keys/nope', method: 'DELETE', path: () => '/v1/admin-keys/nope' },
  { name: 'GET /v1/alerts/<the secret itself>', method: 'GET', path: (c) => `/v1/alerts/${c.leak}` },
  { name: 'POST /v1/alerts/alrt_…/resolve of an alert that does not exist', method: 'POST', path: () => '/v1/alerts/alrt_00000000000000000000000000/resolve' },
  { name: 'DELETE /v1/admin-keys/akey_ + 26 chars that do not exist', method: 'DELETE', path: () => '/v1/admin-keys/akey_00000000000000000000000000' },
]);

const queryCases = expecting(400, 'VALIDATION_FAILED', [
  ...['/v1/keys', '/v1/apps', '/v1/admin-keys', '/v1/audit', '/v1/alerts'].flatMap((route): CaseInput[] => [
    { name: `${route}?limit=0`, method: 'GET', path: () => `${route}?limit=0`, fields: ['limit'] },
    { name: `${route}?limit=101`, method: 'GET', path: () => `${route}?limit=101`, fields: ['limit'] },
    { name: `${route}?limit=abc`, method: 'GET', path: () => `${route}?limit=abc`, fields: ['limit'] },
    { name: `${route}?cursor=garbage`, method: 'GET', path: () => `${route}?cursor=garbage`, fields: ['cursor'] },
    { name: `${route}?cursor=<the secret>`, method: 'GET', path: (c: Context) => `${route}?cursor=${c.leak}`, fields: ['cursor'] },
    // An id of another list (customers): a page of this one cannot start there.
    { name: `${route}?cursor=<a customer id>`, method: 'GET', path: () => `${route}?cursor=cus_00000000000000000000000000`, fields: ['cursor'] },
    { name: `${route}?unknown=1`, method: 'GET', path: () => `${route}?unknown=1`, fields: ['unknown'] },
    { name: `${route}?<the secret>=1`, method: 'GET', path: (c: Context) => `${route}?${c.leak}=1` },
  ]),
  { name: '/v1/keys?status=weird', method: 'GET', path: () => '/v1/keys?status=weird', fields: ['status'] },
  { name: '/v1/keys?appId=<the secret>', method: 'GET', path: (c) => `/v1/keys?appId=${c.leak}`, fields: ['appId'] },
  { name: '/v1/keys?environment=<the secret>', method: 'GET', path: (c) => `/v1/keys?environment=${c.leak}`, fields: ['environment'] },
  { name: '/v1/audit?action=key.exploded', method: 'GET', path: () => '/v1/audit?action=key.exploded', fields: ['action'] },
  { name: '/v1/alerts?keyId=<the secret>', method: 'GET', path: (c) => `/v1/alerts?keyId=${c.leak}`, fields: ['keyId'] },
]);

const routeCases = expecting(404, 'NOT_FOUND', [
  { name: 'GET /v1/nothing', method: 'GET', path: () => '/v1/nothing' },
  { name: 'GET /v1/nothing without a key', method: 'GET', path: () => '/v1/nothing', anonymous: true },
  { name: 'GET /v2/apps', method: 'GET', path: () => '/v2/apps' },
  { name: 'POST /v1/keys/verify/extra', method: 'POST', path: () => '/v1/keys/verify/extra', body: (c) => ({ key: c.leak }) },
  { name: 'GET /<the secret>', method: 'GET', path: (c) => `/${c.leak}` },
]);

// A path that other methods have: the methods it has are in wrong-method.e2e-spec.ts.
const methodCases = expecting(405, 'METHOD_NOT_ALLOWED', [
  { name: 'PUT /v1/apps', method: 'PUT', path: () => '/v1/apps', body: () => ({ name: 'x' }) },
  { name: 'DELETE /v1/keys', method: 'DELETE', path: () => '/v1/keys' },
  { name: 'PUT /v1/keys/<the secret itself>', method: 'PUT', path: (c) => `/v1/keys/${c.leak}`, body: (c) => ({ key: c.leak }) },
]);

const urlCases = expecting(400, 'VALIDATION_FAILED', [
  { name: 'GET /v1/apps/%ZZ (broken percent-encoding)', method: 'GET', path: () => '/v1/apps/%ZZ', fields: ['url'] },
  { name: 'GET /v1/keys/<the secret>%ZZ', method: 'GET', path: (c) => `/v1/keys/${c.leak}%ZZ`, fields: ['url'] },
]);

async function send(item: Case): Promise<RawResponse> {
  const request: RawRequest = { method: item.method, headers: { ...(item.headers ?? {}) } };
  if (!item.anonymous) request.apiKey = workspace.secret;
  if (item.raw) request.body = item.raw(ctx);
  else if (item.body) request.body = JSON.stringify(item.body(ctx));
  return rawRequest(api.baseUrl, item.path(ctx), request);
}

function expectNoLeak(response: RawResponse): void {
  expect(response.text).not.toContain(ctx.leak);
  expect(response.text).not.toContain(workspace.secret);
  expect(response.text).not.toMatch(new RegExp(KEY_SHAPE.source));
  for (const [, value] of response.headers) expect(value).not.toContain(ctx.leak);
}

describe.each([
  ['bodies of the wrong shape', bodyShapeCases],
  ['bodies that are no JSON object, on every other route taking one', otherBodyCases],
  ['fields of the wrong type, unknown or missing', fieldCases],
  ['ids in paths that cannot exist', pathCases],
  ['bad query parameters', queryCases],
  ['unknown routes', routeCases],
  ['methods a route does not have', methodCases],
  ['malformed URLs', urlCases],
])('%s', (_group, cases) => {
  it.each(cases.map((item) => [item.name, item] as const))('%s', async (_name, item) => {
    const response = await send(item);
    expectErrorEnvelope(response, { status: item.status, code: item.code });
    if (item.fields) expect(detailFields(response)).toEqual(expect.arrayContaining(item.fields));
    expectNoLeak(response);
  });
});

/**
 * A field that breaks several rules is named once, with the message that matters: a missing
 * value is required, a value of the wrong type has the wrong type, and the rules of length,
 * range, elements or enum are not piled on (they contradicted each other: "must contain at
 * least 1 elements" and "each value must be an object" for a list that was not sent).
 */
describe('a field breaking several rules is named once, with the message that matters', () => {
  async function refusal(method: string, path: string, body: unknown): Promise<RawResponse> {
    const response = await rawRequest(api.baseUrl, path, { method, apiKey: workspace.secret, body: JSON.stringify(body) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    return response;
  }

  it('POST /v1/webhooks: a missing URL is required, event types given as a string must be a list', async () => {
    const response = await refusal('POST', '/v1/webhooks', { appId: ctx.appId, eventTypes: 'key.created' });
    expect(errorDetails(response)).toEqual([
      { field: 'url', message: 'is required' },
      { field: 'eventTypes', message: 'must be an array' },
    ]);
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: 'Validation failed: url is required; eventTypes must be an array' });
  });

  it('POST /v1/usage: missing events are required, and nothing else', async () => {
    expect(errorDetails(await refusal('POST', '/v1/usage', {}))).toEqual([{ field: 'events', message: 'is required' }]);
  });

  it('POST /v1/keys: scopes given as a string must be a list, without their size or element rules', async () => {
    const response = await refusal('POST', '/v1/keys', { appId: ctx.appId, name: 'x', environment: 'live', scopes: 'x' });
    expect(errorDetails(response)).toEqual([{ field: 'scopes', message: 'must be an array' }]);
  });

  it('POST /v1/keys/:id/rotate: a grace period given as a string must be an integer, without its range', async () => {
    const response = await refusal('POST', `/v1/keys/${ctx.keyId}/rotate`, { gracePeriodSeconds: '10' });
    expect(errorDetails(response)).toEqual([{ field: 'gracePeriodSeconds', message: 'must be an integer number' }]);
  });
});

describe('a query parameter given more than once is named once: which value was meant cannot be known', () => {
  it.each(['/v1/keys', '/v1/apps', '/v1/admin-keys', '/v1/audit', '/v1/alerts', '/v1/customers', '/v1/webhooks'])('%s?limit=2&limit=3', async (route) => {
    const response = await rawRequest(api.baseUrl, `${route}?limit=2&limit=3`, { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: 'Validation failed: limit must be given once' });
    expect(errorDetails(response)).toEqual([{ field: 'limit', message: 'must be given once' }]);
  });

  it('each repeated parameter once, whatever its rules', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/usage?granularity=hour&granularity=day&from=a&from=b&to=2026-01-01T00:00:00Z', { apiKey: workspace.secret });
    expect(errorDetails(response)).toEqual([
      { field: 'granularity', message: 'must be given once' },
      { field: 'from', message: 'must be given once' },
    ]);
  });
});

it('none of the rejected requests changed anything', async () => {
  const owner = client(api.baseUrl, workspace.secret);
  const key = await owner.keys.get(ctx.keyId);
  expect(key).toMatchObject({ name: 'planted', status: 'active', secrets: [expect.objectContaining({ current: true })] });
  expect((await owner.verifyKey(ctx.leak)).code).toBe('VALID');
  const actions = (await owner.audit.list({ limit: 100 })).data.map((entry) => entry.action);
  expect(actions.sort()).toEqual(['admin_key.created', 'app.created', 'key.created']);
});
