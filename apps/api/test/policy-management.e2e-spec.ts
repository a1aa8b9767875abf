import type { Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, detailFields, expectErrorEnvelope, rawRequest, type RawResponse, startApi, type Workspace } from './harness';
import { awayFromWindowEdge, sql } from './policy/helpers';

/** Caches no credentials, so changes made behind its back show at once. */
let api: ApiProcess;
/** Admin keys without a policy get 2 requests a minute here. */
let strictApi: ApiProcess;
/** No default limit for admin keys without a policy. */
let unlimitedApi: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;

function rateHeaders(response: RawResponse) {
  return {
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    reset: response.headers.get('x-ratelimit-reset'),
  };
}

async function adminKey(policy: object): Promise<{ id: string; secret: string }> {
  const response = await rawRequest(api.baseUrl, '/v1/admin-keys', {
    apiKey: workspace.secret,
    body: JSON.stringify({ name: 'policed', role: 'admin', policy }),
  });
  if (response.status !== 201) throw new Error(`admin key create answered ${response.status}: ${response.text}`);
  return response.json as { id: string; secret: string };
}

beforeAll(async () => {
  // One after the other: three cold starts at once can starve a small machine.
  api = await startApi({ KW_KEY_CACHE_TTL_MS: '0' });
  strictApi = await startApi({ KW_ADMIN_RATE_LIMIT_PER_MINUTE: '2' });
  unlimitedApi = await startApi({ KW_ADMIN_RATE_LIMIT_PER_MINUTE: '0' });
  workspace = await bootstrapWorkspace('policy-management');
  owner = client(api.baseUrl, workspace.secret);
});

afterAll(async () => {
  await Promise.all([api?.stop(), strictApi?.stop(), unlimitedApi?.stop()]);
});

describe('X-RateLimit headers', () => {
  it.each([
    ['a 200', '/v1/apps', 200],
    ['a 404', '/v1/keys/key_0000000000aaaaaaaaaaaaaaaa', 404],
    ['a 400', '/v1/apps?limit=0', 400],
  ])('are on %s of an admin key without a policy (the deployment default)', async (_label, path, status) => {
    const response = await rawRequest(api.baseUrl, path, { apiKey: workspace.secret });
    expect(response.status).toBe(status);
    const headers = rateHeaders(response);
    expect(headers.limit).toBe('600000');
    expect(Number(headers.remaining)).toBeGreaterThan(599_000);
    expect(Number(headers.reset)).toBe(Math.floor(Date.now() / 60_000) * 60 + 60);
  });

  it('are on a 403 for a missing scope', async () => {
    const viewer = await owner.adminKeys.create({ name: 'viewer', role: 'viewer' });
    const response = await rawRequest(api.baseUrl, '/v1/apps', { apiKey: viewer.secret, body: JSON.stringify({ name: 'nope' }) });
    expectErrorEnvelope(response, { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(rateHeaders(response).limit).toBe('600000');
  });

  it('are not on an unauthenticated answer', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/apps');
    expect(response.status).toBe(401);
    expect(rateHeaders(response)).toEqual({ limit: null, remaining: null, reset: null });
  });

  it('are left out when the deployment sets no default and the key has no limit', async () => {
    const response = await rawRequest(unlimitedApi.baseUrl, '/v1/apps', { apiKey: workspace.secret });
    expect(response.status).toBe(200);
    expect(rateHeaders(response)).toEqual({ limit: null, remaining: null, reset: null });
  });
});

describe('admin key rate limits', () => {
  it("answers 429 RATE_LIMITED with Retry-After once the key's own limit is used", async () => {
    const { secret } = await adminKey({ rateLimits: { perMinute: 3 } });
    await awayFromWindowEdge(60_000, 5_000);
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await rawRequest(api.baseUrl, '/v1/apps', { apiKey: secret }));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    expect(responses.map((response) => rateHeaders(response).remaining)).toEqual(['2', '1', '0', '0']);
    const refused = responses[3];
    expectErrorEnvelope(refused, { status: 429, code: 'RATE_LIMITED', message: 'Rate limit exceeded' });
    expect(rateHeaders(refused).limit).toBe('3');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Date.now() / 1000 + retryAfter).toBeGreaterThanOrEqual(Number(rateHeaders(refused).reset) - 1);
  });

  it('applies the deployment default to admin keys without a policy, verify calls included', async () => {
    const key = await owner.keys.create({
      appId: (await owner.apps.create({ name: `strict-${Date.now()}` })).id,
      name: 'k',
      environment: 'live',
      scopes: ['x.read'],
    });
    const { secret } = await adminKey({});
    const viaStrict = (body: object) => rawRequest(strictApi.baseUrl, '/v1/keys/verify', { apiKey: secret, body: JSON.stringify(body) });
    await awayFromWindowEdge(60_000, 5_000);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await viaStrict({ key: key.secret })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('admin key IP allowlist', () => {
  it.each([
    ['an allowlist holding the client', ['127.0.0.1/32'], 200],
    ['the IPv4-mapped form of the client', ['::ffff:127.0.0.0/104'], 200],
    ['an allowlist without the client', ['10.0.0.0/8', '2001:db8::/32'], 403],
  ])('%s answers %s', async (_label, ipAllowlist, status) => {
    const { secret } = await adminKey({ ipAllowlist });
    const response = await rawRequest(api.baseUrl, '/v1/me', { apiKey: secret });
    if (status === 403) expectErrorEnvelope(response, { status: 403, code: 'IP_NOT_ALLOWED', message: 'Client IP address is not allowed for this key' });
    else expect(response.status).toBe(200);
  });

  it('takes nothing from the rate limit when the IP is refused', async () => {
    const { id, secret } = await adminKey({ ipAllowlist: ['10.0.0.0/8'], rateLimits: { perDay: 1 } });
    for (let i = 0; i < 3; i++) expect((await rawRequest(api.baseUrl, '/v1/me', { apiKey: secret })).status).toBe(403);
    // Let the client in (this API caches no credentials): the day's one request is still there.
    await sql(`UPDATE api_keys SET policy = policy - 'ipAllowlist' WHERE id = $1`, [id]);
    const admitted = await rawRequest(api.baseUrl, '/v1/me', { apiKey: secret });
    expect(admitted.status).toBe(200);
    expect(rateHeaders(admitted)).toMatchObject({ limit: '1', remaining: '0' });
  });
});

describe('rate limits that contradict each other', () => {
  const CONTRADICTION = { rateLimits: { perMinute: 100, perHour: 50 } };
  let appId: string;

  beforeAll(async () => {
    appId = (await owner.apps.create({ name: 'for a contradicting key', scopeCatalog: ['chat.write'] })).id;
  });

  it.each([
    ['an admin key', '/v1/admin-keys', () => ({ name: 'contradicting', role: 'viewer', policy: CONTRADICTION }), 'policy'],
    ['an app default', '/v1/apps', () => ({ name: 'contradicting', defaultPolicy: CONTRADICTION }), 'defaultPolicy'],
    ['an app key', '/v1/keys', () => ({ appId, name: 'contradicting', environment: 'live', scopes: ['chat.write'], policy: CONTRADICTION }), 'policy'],
  ])('are refused for %s, as for a customer, naming the window', async (_label, path, body, field) => {
    const response = await rawRequest(api.baseUrl, path, { apiKey: workspace.secret, body: JSON.stringify(body()) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: new RegExp(`${field}\\.rateLimits\\.perMinute must not exceed perHour \\(50\\)`) });
    expect(detailFields(response)).toEqual([`${field}.rateLimits.perMinute`]);
  });
});

describe('admin key policies', () => {
  it('are answered on the created key', async () => {
    const created = await owner.adminKeys.create({ name: 'with policy', role: 'viewer', policy: { plan: 'pro', ipAllowlist: ['127.0.0.1'] } });
    expect(created.policy).toEqual({ plan: 'pro', ipAllowlist: ['127.0.0.1'] });
  });

  it('refuse fields that only make sense for app keys', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/admin-keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ name: 'bad', role: 'viewer', policy: { concurrency: 2 } }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toEqual(['policy.concurrency']);
  });

  it('refuse a malformed CIDR with a clear message', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/admin-keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ name: 'bad', role: 'viewer', policy: { ipAllowlist: ['300.0.0.0/8'] } }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /policy\.ipAllowlist must contain IPv4 or IPv6 addresses or CIDR ranges/ });
  });

  it('expire an admin key whose current secret outlived its rotation period', async () => {
    const { id, secret } = await adminKey({ rotationPeriodDays: 7 });
    expect((await rawRequest(api.baseUrl, '/v1/me', { apiKey: secret })).status).toBe(200);
    await sql(`UPDATE key_secrets SET created_at = now() - interval '8 days' WHERE key_id = $1`, [id]);
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/me', { apiKey: secret }), { status: 401, code: 'KEY_EXPIRED' });
  });
});
