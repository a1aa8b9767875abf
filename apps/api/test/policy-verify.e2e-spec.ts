import type { App, Keywarden } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  errorDetails,
  eventually,
  expectErrorEnvelope,
  rawRequest,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';
import { awayFromWindowEdge, CATALOG, keyWithPolicy, redisGet, releaseLease, sql, verifyCodes } from './policy/helpers';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('policy-verify');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('policy-app'), scopeCatalog: CATALOG });
});

afterAll(async () => {
  await api?.stop();
});

describe('IP allowlist', () => {
  it.each([
    ['an address inside an IPv4 CIDR', ['10.0.0.0/8'], '10.20.30.40', 'VALID'],
    ['an address outside it', ['10.0.0.0/8'], '11.0.0.1', 'IP_NOT_ALLOWED'],
    ['the IPv4-mapped IPv6 form of an allowed IPv4 address', ['10.0.0.0/8'], '::ffff:10.1.2.3', 'VALID'],
    ['an IPv4 address inside an IPv4-mapped IPv6 range', ['::ffff:192.0.2.0/120'], '192.0.2.77', 'VALID'],
    ['any IPv4 address under 0.0.0.0/0', ['0.0.0.0/0'], '198.51.100.9', 'VALID'],
    ['an IPv6 address under 0.0.0.0/0', ['0.0.0.0/0'], '2001:db8::1', 'IP_NOT_ALLOWED'],
    ['the one address of a /32', ['203.0.113.7/32'], '203.0.113.7', 'VALID'],
    ['its neighbour', ['203.0.113.7/32'], '203.0.113.8', 'IP_NOT_ALLOWED'],
    ['the one address of a /128', ['2001:db8::7/128'], '2001:db8::7', 'VALID'],
    ['the neighbour of a /128', ['2001:db8::7/128'], '2001:db8::8', 'IP_NOT_ALLOWED'],
    ['a bare address (a host)', ['2001:db8::7'], '2001:db8::7', 'VALID'],
    ['an address inside an IPv6 CIDR', ['2001:db8::/32'], '2001:db8:abcd::1', 'VALID'],
  ])('%s: %s', async (_label, ipAllowlist, ip, expected) => {
    const key = await keyWithPolicy(owner, app, { ipAllowlist });
    expect((await owner.verifyKey(key.secret, { ip })).code).toBe(expected);
  });

  it('refuses a verify that gives no IP when the key has an allowlist', async () => {
    const key = await keyWithPolicy(owner, app, { ipAllowlist: ['0.0.0.0/0', '::/0'] });
    const answer = await owner.verifyKey(key.secret);
    expect(answer).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED', keyId: key.id });
  });

  it('answers 400 for an ip in the verify body that is not an address', async () => {
    const key = await keyWithPolicy(owner, app, undefined);
    const response = await rawRequest(api.baseUrl, '/v1/keys/verify', {
      apiKey: workspace.secret,
      body: JSON.stringify({ key: key.secret, ip: 'localhost' }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: 'Validation failed: ip must be an IPv4 or IPv6 address' });
  });
});

describe('allowed models', () => {
  it('allows models matching a glob and refuses others', async () => {
    const key = await keyWithPolicy(owner, app, { allowedModels: ['gpt-4o*', 'text-embedding-3-small'] });
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4o-mini' })).code).toBe('VALID');
    expect((await owner.verifyKey(key.secret, { model: 'text-embedding-3-small' })).code).toBe('VALID');
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4' })).code).toBe('MODEL_NOT_ALLOWED');
    expect((await owner.verifyKey(key.secret, { model: 'GPT-4o' })).code).toBe('MODEL_NOT_ALLOWED');
  });

  it('refuses a verify that names no model when the key restricts models', async () => {
    const key = await keyWithPolicy(owner, app, { allowedModels: ['*'] });
    expect((await owner.verifyKey(key.secret)).code).toBe('MODEL_NOT_ALLOWED');
    expect((await owner.verifyKey(key.secret, { model: 'anything' })).code).toBe('VALID');
  });
});

describe('rate limits at their boundary', () => {
  it('perMinute: exactly N allowed, N+1 refused, with the reset at the end of the minute', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 5 } });
    await awayFromWindowEdge(60_000, 8_000);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await owner.verifyKey(key.secret));
    expect(answers.map((answer) => answer.code)).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    const reset = Math.floor(Date.now() / 60_000) * 60 + 60;
    expect(answers.map((answer) => answer.ratelimit)).toEqual([
      { limit: 5, remaining: 4, reset },
      { limit: 5, remaining: 3, reset },
      { limit: 5, remaining: 2, reset },
      { limit: 5, remaining: 1, reset },
      { limit: 5, remaining: 0, reset },
      { limit: 5, remaining: 0, reset },
    ]);
  });

  it('burst: N per second, and allowed again once the second is over', async () => {
    const key = await keyWithPolicy(owner, app, { plan: 'enterprise', rateLimits: { burst: 3 } });
    await awayFromWindowEdge(1_000, 600);
    expect(await verifyCodes(owner, key.secret, 4)).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    expect(await verifyCodes(owner, key.secret, 1)).toEqual(['VALID']);
  });

  it('perHour and perDay: the tighter window answers, and its limit is exact', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perHour: 3, perDay: 4 } });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await owner.verifyKey(key.secret));
    expect(answers.map((answer) => answer.code)).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    expect(answers[2].ratelimit).toEqual({ limit: 3, remaining: 0, reset: Math.floor(Date.now() / 3_600_000) * 3600 + 3600 });
  });

  it('a refusal by two used-up windows answers the one that resets last', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 2, perDay: 2 } });
    await awayFromWindowEdge(60_000, 8_000);
    expect(await verifyCodes(owner, key.secret, 2)).toEqual(['VALID', 'VALID']);
    const answer = await owner.verifyKey(key.secret);
    expect(answer.code).toBe('RATE_LIMITED');
    expect(answer.ratelimit).toEqual({ limit: 2, remaining: 0, reset: Math.floor(Date.now() / 86_400_000) * 86_400 + 86_400 });
  });

  it('a perDay limit alone resets at the next UTC midnight', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perDay: 2 } });
    expect(await verifyCodes(owner, key.secret, 3)).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
    const answer = await owner.verifyKey(key.secret);
    expect(answer.ratelimit).toEqual({ limit: 2, remaining: 0, reset: Math.floor(Date.now() / 86_400_000) * 86_400 + 86_400 });
  });

  it('the free plan allows 10 per hour (one at a time)', async () => {
    const key = await keyWithPolicy(owner, app, { plan: 'free' });
    const answers = [];
    for (let i = 0; i < 11; i++) {
      const answer = await owner.verifyKey(key.secret);
      answers.push(answer);
      if (answer.leaseId) await releaseLease(api, workspace.secret, answer.leaseId);
    }
    expect(answers.map((answer) => answer.code)).toEqual([...Array(10).fill('VALID'), 'RATE_LIMITED']);
    expect(answers[9].ratelimit).toMatchObject({ limit: 10, remaining: 0 });
  });

  it('a key without rate limits has no ratelimit in its answer', async () => {
    const key = await keyWithPolicy(owner, app, undefined);
    const answer = await owner.verifyKey(key.secret);
    expect(answer.code).toBe('VALID');
    expect(answer.ratelimit).toBeUndefined();
    expect(answer.leaseId).toBeUndefined();
  });
});

describe('a lowered rate limit', () => {
  it('holds at once: tokens the instance reserved under the old limit are not spent past the new one', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 100 } });
    await awayFromWindowEdge(60_000, 8_000);
    expect(new Set(await verifyCodes(owner, key.secret, 20))).toEqual(new Set(['VALID']));
    await owner.keys.update(key.id, { policy: { rateLimits: { perMinute: 5 } } });
    expect(await verifyCodes(owner, key.secret, 3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('raised again, admits what the window has left: the tokens held under the old limit are not lost', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perMinute: 100 } });
    await awayFromWindowEdge(60_000, 8_000);
    expect(new Set(await verifyCodes(owner, key.secret, 20))).toEqual(new Set(['VALID']));
    await owner.keys.update(key.id, { policy: { rateLimits: { perMinute: 5 } } });
    expect(await verifyCodes(owner, key.secret, 1)).toEqual(['RATE_LIMITED']);
    await owner.keys.update(key.id, { policy: { rateLimits: { perMinute: 25 } } });
    expect(await verifyCodes(owner, key.secret, 6)).toEqual([...Array(5).fill('VALID'), 'RATE_LIMITED']);
  });
});

describe('app default policy', () => {
  it("applies to the app's keys, and a key's own policy overrides it field by field", async () => {
    const strict = await owner.apps.create({
      name: uniqueName('strict-app'),
      scopeCatalog: CATALOG,
      defaultPolicy: { allowedModels: ['gpt-4o*'], ipAllowlist: ['10.0.0.0/8'] },
    });
    expect(strict.defaultPolicy).toEqual({ allowedModels: ['gpt-4o*'], ipAllowlist: ['10.0.0.0/8'] });
    const plain = await keyWithPolicy(owner, strict, undefined);
    const own = await keyWithPolicy(owner, strict, { allowedModels: ['claude-*'] });
    expect((await owner.verifyKey(plain.secret, { ip: '10.0.0.1', model: 'gpt-4o' })).code).toBe('VALID');
    expect((await owner.verifyKey(plain.secret, { ip: '10.0.0.1', model: 'claude-3' })).code).toBe('MODEL_NOT_ALLOWED');
    expect((await owner.verifyKey(own.secret, { ip: '10.0.0.1', model: 'claude-3' })).code).toBe('VALID');
    expect((await owner.verifyKey(own.secret, { ip: '192.168.0.1', model: 'claude-3' })).code).toBe('IP_NOT_ALLOWED');
  });

  it("a key on enterprise under a free default is held to none of free's limits (10 an hour, 1 at a time)", async () => {
    const free = await owner.apps.create({ name: uniqueName('free-app'), scopeCatalog: CATALOG, defaultPolicy: { plan: 'free' } });
    const key = await keyWithPolicy(owner, free, { plan: 'enterprise' });
    const answers = [];
    // Leases are not released: under free's concurrency of 1 the second verify would be refused.
    for (let i = 0; i < 11; i++) answers.push(await owner.verifyKey(key.secret));
    expect(answers.map((answer) => answer.code)).toEqual(Array(11).fill('VALID'));
    expect(answers.map((answer) => [answer.ratelimit, answer.leaseId])).toEqual(Array(11).fill([undefined, undefined]));
  });

  it('a changed default applies at once to keys already verified, and null clears it', async () => {
    const changing = await owner.apps.create({ name: uniqueName('changing-app'), scopeCatalog: CATALOG });
    const key = await keyWithPolicy(owner, changing, undefined);
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4' })).code).toBe('VALID');
    await owner.apps.update(changing.id, { defaultPolicy: { allowedModels: ['gpt-4o'] } });
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4' })).code).toBe('MODEL_NOT_ALLOWED');
    const cleared = await owner.apps.update(changing.id, { defaultPolicy: null });
    expect(cleared.defaultPolicy).toBeNull();
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4' })).code).toBe('VALID');
  });
});

describe('key policy updates', () => {
  it('a new policy applies at once; policy null clears it', async () => {
    const key = await keyWithPolicy(owner, app, { allowedModels: ['gpt-4o'] });
    expect(key.policy).toEqual({ allowedModels: ['gpt-4o'] });
    expect((await owner.verifyKey(key.secret, { model: 'o3' })).code).toBe('MODEL_NOT_ALLOWED');
    const updated = await owner.keys.update(key.id, { policy: { allowedModels: ['o3'] } });
    expect(updated.policy).toEqual({ allowedModels: ['o3'] });
    expect((await owner.verifyKey(key.secret, { model: 'o3' })).code).toBe('VALID');
    const cleared = await owner.keys.update(key.id, { policy: null });
    expect(cleared.policy).toBeNull();
    expect((await owner.verifyKey(key.secret, { model: 'gpt-4' })).code).toBe('VALID');
  });

  it('stores the daily spend limit exactly and answers it as given', async () => {
    const key = await keyWithPolicy(owner, app, { dailySpendLimit: 12.345678 });
    expect((await owner.keys.get(key.id)).policy).toEqual({ dailySpendLimit: 12.345678 });
    const [row] = await sql<{ policy: unknown }>('SELECT policy FROM api_keys WHERE id = $1', [key.id]);
    expect(row.policy).toEqual({ dailySpendLimitMicros: 12_345_678 });
  });

  it('a spend cap lowered below what the day spent, then raised, admits what the raised cap leaves', async () => {
    const key = await keyWithPolicy(owner, app, { dailySpendLimit: 100 });
    expect(new Set(await verifyCodes(owner, key.secret, 20, { cost: 0.25 }))).toEqual(new Set(['VALID']));
    await owner.keys.update(key.id, { policy: { dailySpendLimit: 2 } });
    expect(await verifyCodes(owner, key.secret, 1, { cost: 0.25 })).toEqual(['USAGE_EXCEEDED']);
    await owner.keys.update(key.id, { policy: { dailySpendLimit: 6 } });
    expect(await verifyCodes(owner, key.secret, 5, { cost: 0.25 })).toEqual([...Array(4).fill('VALID'), 'USAGE_EXCEEDED']);
  });
});

describe('policy validation at write time', () => {
  async function createWith(policy: unknown) {
    return rawRequest(api.baseUrl, '/v1/keys', {
      apiKey: workspace.secret,
      body: JSON.stringify({ appId: app.id, name: 'bad', environment: 'live', scopes: ['generation.create'], policy }),
    });
  }

  it.each([
    ['a malformed CIDR', { ipAllowlist: ['10.0.0.0/33'] }, 'policy.ipAllowlist', /IPv4 or IPv6 addresses or CIDR ranges/],
    ['a host name in the allowlist', { ipAllowlist: ['example.com'] }, 'policy.ipAllowlist', /IPv4 or IPv6/],
    ['a zero limit', { rateLimits: { perMinute: 0 } }, 'policy.rateLimits.perMinute', /positive integer/],
    ['a fractional limit', { rateLimits: { perHour: 1.5 } }, 'policy.rateLimits.perHour', /positive integer/],
    ['a negative concurrency', { concurrency: -1 }, 'policy.concurrency', /positive integer/],
    ['a spend limit with 7 decimals', { dailySpendLimit: 1.0000001 }, 'policy.dailySpendLimit', /at most 6 decimals/],
    ['a negative spend limit', { dailySpendLimit: -1 }, 'policy.dailySpendLimit', /between 0 and/],
    ['a glob with a space', { allowedModels: ['gpt 4'] }, 'policy.allowedModels', /model names or globs/],
    ['an unknown plan', { plan: 'gold' }, 'policy.plan', /must be one of/],
    ['an unknown field', { maxTokens: 5 }, 'policy.maxTokens', /should not exist/],
    ['a zero rotation period', { rotationPeriodDays: 0 }, 'policy.rotationPeriodDays', /positive integer/],
  ])('refuses %s with 400 naming the field', async (_label, policy, field, message) => {
    const response = await createWith(policy);
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toEqual([field]);
    const detail = errorDetails(response)[0];
    expect(detail.message).toMatch(message);
  });

  it('never echoes the refused value', async () => {
    const response = await createWith({ ipAllowlist: ['999.1.2.3/8'] });
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('999.1.2.3');
  });

  it('refuses a malformed CIDR in an app default policy too', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/apps', {
      apiKey: workspace.secret,
      body: JSON.stringify({ name: uniqueName('bad-app'), defaultPolicy: { ipAllowlist: ['10.0.0.0/8', '::1/129'] } }),
    });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toEqual(['defaultPolicy.ipAllowlist']);
  });
});

describe('expiry and rotation period', () => {
  it('a key past its expiry answers KEY_EXPIRED', async () => {
    const key = await keyWithPolicy(owner, app, undefined, { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_EXPIRED');
  });

  it('a current secret older than the rotation period answers KEY_EXPIRED, and rotating revives the key', async () => {
    const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 30 });
    await sql(`UPDATE key_secrets SET created_at = now() - interval '31 days' WHERE key_id = $1`, [key.id]);
    await owner.keys.update(key.id, { name: 'aged' }); // drops cached credentials
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_EXPIRED');
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect((await owner.verifyKey(rotated.secret)).code).toBe('VALID');
  });

  it('rotating an overdue key does not revive the old secret for the grace period', async () => {
    const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 30 });
    await sql(`UPDATE key_secrets SET created_at = now() - interval '31 days' WHERE key_id = $1`, [key.id]);
    await owner.keys.update(key.id, { name: 'overdue' });
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3600 });
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_EXPIRED');
    expect((await owner.verifyKey(rotated.secret)).code).toBe('VALID');
  });

  it('a secret inside its rotation period is valid', async () => {
    const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 30 });
    await sql(`UPDATE key_secrets SET created_at = now() - interval '29 days' WHERE key_id = $1`, [key.id]);
    await owner.keys.update(key.id, { name: 'not yet' });
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
  });
});

describe('the status of a key overdue for its rotation period', () => {
  /** A key of `inApp` whose current secret was issued 31 days ago. */
  async function overdueKey(inApp: App, policy?: { rotationPeriodDays: number }) {
    const key = await keyWithPolicy(owner, inApp, policy);
    await sql(`UPDATE key_secrets SET created_at = now() - interval '31 days' WHERE key_id = $1`, [key.id]);
    return key;
  }

  async function listedIds(appId: string, status: 'active' | 'expired'): Promise<string[]> {
    return (await owner.keys.list({ appId, status, limit: 100 })).data.map((listed) => listed.id);
  }

  it('reads expired on get and in the list, as verify answers KEY_EXPIRED', async () => {
    const key = await overdueKey(app, { rotationPeriodDays: 30 });
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_EXPIRED');
    expect((await owner.keys.get(key.id)).status).toBe('expired');
    const listed = (await owner.keys.list({ appId: app.id, limit: 100 })).data.find((candidate) => candidate.id === key.id);
    expect(listed?.status).toBe('expired');
  });

  it('is found by status=expired and not by status=active, in the list and in a bulk filter', async () => {
    const key = await overdueKey(app, { rotationPeriodDays: 30 });
    expect(await listedIds(app.id, 'expired')).toContain(key.id);
    expect(await listedIds(app.id, 'active')).not.toContain(key.id);
    const bulk = await rawRequest(api.baseUrl, '/v1/keys/bulk', {
      apiKey: workspace.secret,
      body: JSON.stringify({ filter: { ids: [key.id], status: 'expired' }, action: 'rotate', dryRun: true }),
    });
    expect(bulk.json).toMatchObject({ matched: 1, keyIds: [key.id] });
  });

  it("counts its app's default rotation period when the key has none of its own", async () => {
    const strictApp = await owner.apps.create({ name: uniqueName('rotation-app'), scopeCatalog: CATALOG, defaultPolicy: { rotationPeriodDays: 30 } });
    const key = await overdueKey(strictApp);
    expect((await owner.verifyKey(key.secret)).code).toBe('KEY_EXPIRED');
    expect((await owner.keys.get(key.id)).status).toBe('expired');
    expect(await listedIds(strictApp.id, 'expired')).toEqual([key.id]);
  });

  it('reads active again once rotated, and is listed under status=active', async () => {
    const key = await overdueKey(app, { rotationPeriodDays: 30 });
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(rotated.status).toBe('active');
    expect((await owner.keys.get(key.id)).status).toBe('active');
    expect(await listedIds(app.id, 'active')).toContain(key.id);
    expect(await listedIds(app.id, 'expired')).not.toContain(key.id);
  });

  it('a key inside its rotation period reads active', async () => {
    const key = await keyWithPolicy(owner, app, { rotationPeriodDays: 30 });
    await sql(`UPDATE key_secrets SET created_at = now() - interval '29 days' WHERE key_id = $1`, [key.id]);
    expect((await owner.keys.get(key.id)).status).toBe('active');
    expect(await listedIds(app.id, 'active')).toContain(key.id);
  });
});

describe('a refused request consumes nothing', () => {
  it('requests refused for their IP or model take nothing from the rate limit', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perDay: 2 }, ipAllowlist: ['10.0.0.0/8'], allowedModels: ['gpt-4o'] });
    for (let i = 0; i < 5; i++) {
      expect((await owner.verifyKey(key.secret, { ip: '192.168.1.1', model: 'gpt-4o' })).code).toBe('IP_NOT_ALLOWED');
      expect((await owner.verifyKey(key.secret, { ip: '10.0.0.1', model: 'o3' })).code).toBe('MODEL_NOT_ALLOWED');
    }
    expect(await verifyCodes(owner, key.secret, 3, { ip: '10.0.0.1', model: 'gpt-4o' })).toEqual(['VALID', 'VALID', 'RATE_LIMITED']);
  });

  it('a request refused by one rate window takes nothing from the others', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { burst: 1, perDay: 3 } });
    await awayFromWindowEdge(1_000, 700);
    expect(await verifyCodes(owner, key.secret, 4)).toEqual(['VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
      expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    const answer = await owner.verifyKey(key.secret);
    expect(answer).toMatchObject({ code: 'RATE_LIMITED', ratelimit: { limit: 3, remaining: 0 } });
  });

  /** A key (cap 1.00, one at a time) that spent 0.60, then had budget taken for a second 0.60 refused for concurrency. */
  async function keyWithBudgetTakenForARefusal() {
    const key = await keyWithPolicy(owner, app, { dailySpendLimit: 1, concurrency: 1 });
    const held = await owner.verifyKey(key.secret, { cost: 0.6 });
    expect(held.code).toBe('VALID');
    expect((await owner.verifyKey(key.secret, { cost: 0.6 })).code).toBe('RATE_LIMITED');
    await releaseLease(api, workspace.secret, held.leaseId as string);
    return key;
  }

  it('budget taken for a request refused for concurrency does not refuse a later verify without a cost', async () => {
    const key = await keyWithBudgetTakenForARefusal();
    expect((await owner.verifyKey(key.secret)).code).toBe('VALID');
  });

  it('budget taken for a request refused for concurrency does not refuse a later verify that costs more than it', async () => {
    const key = await keyWithBudgetTakenForARefusal();
    const crossing = await owner.verifyKey(key.secret, { cost: 0.7 });
    expect(crossing.code).toBe('VALID');
    await releaseLease(api, workspace.secret, crossing.leaseId as string);
    expect((await owner.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED');
  });

  it('rate-limited requests add no spend', async () => {
    const key = await keyWithPolicy(owner, app, { rateLimits: { perDay: 1 }, dailySpendLimit: 1 });
    expect((await owner.verifyKey(key.secret, { cost: 0.5 })).code).toBe('VALID');
    for (let i = 0; i < 3; i++) expect((await owner.verifyKey(key.secret, { cost: 0.5 })).code).toBe('RATE_LIMITED');
    const today = new Date().toISOString().slice(0, 10);
    await eventually(async () => expect(await redisGet(`kw:spend:{${key.id}}:${today}`)).toBe('500000'), { timeoutMs: 5_000 });
  });
});

describe('metrics', () => {
  it('count policy refusals by code and the rate-limit reservations sent to Redis', async () => {
    const key = await keyWithPolicy(owner, app, { allowedModels: ['gpt-4o'], rateLimits: { perDay: 1 } });
    await owner.verifyKey(key.secret, { model: 'o3' });
    await owner.verifyKey(key.secret, { model: 'gpt-4o' });
    await owner.verifyKey(key.secret, { model: 'gpt-4o' });
    const metrics = (await rawRequest(api.baseUrl, '/metrics')).text;
    const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1] ?? 0);
    expect(value(/^kw_policy_rejections_total\{code="MODEL_NOT_ALLOWED",surface="verify"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^kw_policy_rejections_total\{code="RATE_LIMITED",surface="verify"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^kw_rate_limit_reservations_total\{outcome="granted"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^kw_rate_limit_reservations_total\{outcome="exhausted"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
  });
});
