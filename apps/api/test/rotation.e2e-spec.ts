import { DEFAULT_ROTATION_GRACE_SECONDS, MAX_ROTATION_GRACE_SECONDS } from '@keywarden/core';
import type { App, AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, eventually, expectApiError, startApi, uniqueName } from './harness';
import { sql } from './policy/helpers';

let api: ApiProcess;
let owner: Keywarden;
let app: App;

function newKey(): Promise<AppKey & WithSecret> {
  return owner.keys.create({ appId: app.id, name: uniqueName('rotating'), environment: 'live', scopes: ['generation.create'] });
}

async function codeOf(secret: string): Promise<string> {
  return (await owner.verifyKey(secret)).code;
}

/** Milliseconds between an ISO date and `expectedMs`. */
function offsetMs(iso: string | null, expectedMs: number): number {
  return Math.abs(Date.parse(iso as string) - expectedMs);
}

beforeAll(async () => {
  api = await startApi();
  owner = client(api.baseUrl, (await bootstrapWorkspace('rotation')).secret);
  app = await owner.apps.create({ name: uniqueName('rotation-app'), scopeCatalog: ['generation.create'] });
});

afterAll(async () => {
  await api?.stop();
});

describe('rotation with a grace period', () => {
  it('during the grace period both the old and the new secret verify as VALID for the same key', async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3 });
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: true, code: 'VALID', keyId: key.id });
    expect(await owner.verifyKey(rotated.secret)).toMatchObject({ valid: true, code: 'VALID', keyId: key.id });
  });

  it('the key shows both secret versions with prefix, createdAt, expiresAt and the current flag', async () => {
    const key = await newKey();
    const rotatedAt = Date.now();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3 });
    const fetched = await owner.keys.get(key.id);
    expect(fetched.prefix).toBe(rotated.secret.slice(0, 12));
    expect(fetched.secrets).toEqual([
      { prefix: rotated.secret.slice(0, 12), createdAt: expect.any(String), expiresAt: null, current: true },
      { prefix: key.prefix, createdAt: key.secrets[0].createdAt, expiresAt: expect.any(String), current: false },
    ]);
    expect(offsetMs(fetched.secrets[1].expiresAt, rotatedAt + 3_000)).toBeLessThan(2_000);
    expect(Date.parse(fetched.secrets[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(fetched.secrets[1].createdAt));
    expect(rotated.secrets).toEqual(fetched.secrets);
  });

  it("a rotation changes the key's updatedAt, as it changes its prefix and secrets", async () => {
    const key = await newKey();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3 });
    expect(Date.parse(rotated.updatedAt)).toBeGreaterThan(Date.parse(key.updatedAt));
    expect((await owner.keys.get(key.id)).updatedAt).toBe(rotated.updatedAt);
  });

  it('after the deadline the old secret answers KEY_REVOKED while the new one stays VALID', async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3 });
    expect(await codeOf(key.secret)).toBe('VALID');
    await eventually(async () => expect(await codeOf(key.secret)).toBe('KEY_REVOKED'), { timeoutMs: 7_000, intervalMs: 200 });
    expect(await codeOf(rotated.secret)).toBe('VALID');
    const fetched = await owner.keys.get(key.id);
    expect(fetched.status).toBe('active');
    expect(fetched.secrets).toEqual([expect.objectContaining({ prefix: rotated.prefix, current: true })]);
  });

  it('without gracePeriodSeconds the old secret keeps working for 24 hours', async () => {
    const key = await newKey();
    const rotatedAt = Date.now();
    const rotated = await owner.keys.rotate(key.id);
    const old = rotated.secrets.find((secret) => !secret.current);
    expect(old?.prefix).toBe(key.prefix);
    expect(offsetMs(old?.expiresAt ?? null, rotatedAt + DEFAULT_ROTATION_GRACE_SECONDS * 1_000)).toBeLessThan(5_000);
    expect(await codeOf(key.secret)).toBe('VALID');
  });
});

describe('rotation without grace', () => {
  it('gracePeriodSeconds 0 stops the old secret at once', async () => {
    const key = await newKey();
    expect(await codeOf(key.secret)).toBe('VALID');
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_REVOKED', keyId: key.id });
    expect(await codeOf(rotated.secret)).toBe('VALID');
    expect(rotated.secrets).toEqual([expect.objectContaining({ prefix: rotated.prefix, current: true, expiresAt: null })]);
  });

  it('a second rotation without grace also ends the grace of the first', async () => {
    const key = await newKey();
    const first = await owner.keys.rotate(key.id);
    const second = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(await codeOf(key.secret)).toBe('KEY_REVOKED');
    expect(await codeOf(first.secret)).toBe('KEY_REVOKED');
    expect(await codeOf(second.secret)).toBe('VALID');
  });

});

describe('a rotation inside the grace of an earlier one', () => {
  it('ends the grace of the older secret at once: only the newest secret and the one it replaced verify', async () => {
    const key = await newKey();
    const first = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3_600 });
    expect(await codeOf(key.secret)).toBe('VALID');
    const second = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3_600 });
    expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_REVOKED', keyId: key.id });
    expect(await codeOf(first.secret)).toBe('VALID');
    expect(await codeOf(second.secret)).toBe('VALID');
  });

  it('the key lists two secret versions: the current one and the one it replaced, with the new grace deadline', async () => {
    const key = await newKey();
    const first = await owner.keys.rotate(key.id, { gracePeriodSeconds: 60 });
    const rotatedAt = Date.now();
    const second = await owner.keys.rotate(key.id, { gracePeriodSeconds: 3_600 });
    expect(second.secrets).toEqual([
      expect.objectContaining({ prefix: second.prefix, current: true, expiresAt: null }),
      expect.objectContaining({ prefix: first.prefix, current: false }),
    ]);
    expect(offsetMs(second.secrets[1].expiresAt, rotatedAt + 3_600_000)).toBeLessThan(2_000);
    expect((await owner.keys.get(key.id)).secrets).toEqual(second.secrets);
  });
});

describe('keys that a rotation cannot renew', () => {
  const EXPIRED_MESSAGE = 'Key has expired: a rotation would issue a secret that never verifies; set a later expiresAt or create a new key';

  async function expiredKey(): Promise<AppKey & WithSecret> {
    const key = await newKey();
    await sql(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [key.id]);
    return key;
  }

  it('an expired key is refused with 409 CONFLICT saying why, and keeps its secret, updatedAt and audit trail as they were', async () => {
    const key = await expiredKey();
    const before = await owner.keys.get(key.id);
    await expectApiError(owner.keys.rotate(key.id, { gracePeriodSeconds: 0 }), { status: 409, code: 'CONFLICT', message: EXPIRED_MESSAGE });
    const after = await owner.keys.get(key.id);
    expect(after).toEqual(before);
    expect(after.secrets).toEqual([expect.objectContaining({ prefix: key.prefix, current: true, expiresAt: null })]);
    expect((await owner.audit.list({ targetId: key.id })).data.map((entry) => entry.action)).toEqual(['key.created']);
    expect(await codeOf(key.secret)).toBe('KEY_EXPIRED');
  });

  it('an expired key may be rotated once its expiry is moved later', async () => {
    const key = await expiredKey();
    await owner.keys.update(key.id, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(await codeOf(rotated.secret)).toBe('VALID');
  });

  it('a disabled key may be rotated: its new secret verifies once the key is enabled', async () => {
    const key = await newKey();
    await owner.keys.disable(key.id);
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(await codeOf(rotated.secret)).toBe('KEY_DISABLED');
    await owner.keys.enable(key.id);
    expect(await codeOf(rotated.secret)).toBe('VALID');
  });
});

describe('grace period limits', () => {
  it('accepts exactly 30 days', async () => {
    const key = await newKey();
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: MAX_ROTATION_GRACE_SECONDS });
    expect(rotated.secrets).toHaveLength(2);
  });

  it.each([
    ['longer than 30 days', MAX_ROTATION_GRACE_SECONDS + 1],
    ['negative', -1],
    ['fractional', 1.5],
  ])('rejects a grace period that is %s: 400 VALIDATION_FAILED, key unchanged', async (_label, gracePeriodSeconds) => {
    const key = await newKey();
    const failure = await expectApiError(owner.keys.rotate(key.id, { gracePeriodSeconds }), { status: 400, code: 'VALIDATION_FAILED' });
    expect(failure.details?.map((detail) => detail.field)).toEqual(expect.arrayContaining(['gracePeriodSeconds']));
    const fetched = await owner.keys.get(key.id);
    expect(fetched.secrets).toEqual([expect.objectContaining({ prefix: key.prefix, current: true })]);
    expect(await codeOf(key.secret)).toBe('VALID');
  });

  it('a revoked key cannot be rotated: 409 CONFLICT', async () => {
    const key = await newKey();
    await owner.keys.revoke(key.id);
    await expectApiError(owner.keys.rotate(key.id), { status: 409, code: 'CONFLICT', message: 'Key is revoked; revocation is irreversible' });
  });
});
