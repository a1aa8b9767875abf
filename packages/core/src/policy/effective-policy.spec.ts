import fc from 'fast-check';
import { keyStateAt, validUntil } from '../keys/key-state';
import {
  compilePolicy,
  effectivePolicy,
  ipAllowed,
  isMicroAmount,
  modelAllowed,
  reservationWant,
  rotationDeadline,
  type StoredPolicy,
  toStoredPolicy,
  toWirePolicy,
} from './effective-policy';
import { PLAN_PRESETS } from './plans';

const compiled = (own: StoredPolicy | null, appDefault: StoredPolicy | null = null) =>
  compilePolicy(effectivePolicy(appDefault, own));

describe('effectivePolicy', () => {
  it('is empty when neither the app nor the key sets anything', () => {
    expect(effectivePolicy(null, null)).toEqual({
      plan: null,
      rateLimits: {},
      concurrency: null,
      ipAllowlist: null,
      allowedModels: null,
      dailySpendLimitMicros: null,
      rotationPeriodDays: null,
    });
  });

  it.each([
    ['free', { perHour: 10, perDay: 100 }, 1],
    ['starter', { perHour: 50, perDay: 500 }, 3],
    ['pro', { perHour: 200, perDay: 2000 }, 10],
  ] as const)('plan %s presets its limits and concurrency', (plan, rateLimits, concurrency) => {
    expect(effectivePolicy(null, { plan })).toMatchObject({ plan, rateLimits, concurrency });
  });

  it('enterprise presets nothing: limits and burst are the policy own', () => {
    expect(effectivePolicy(null, { plan: 'enterprise', rateLimits: { perMinute: 5000, burst: 200 } })).toMatchObject({
      plan: 'enterprise',
      rateLimits: { perMinute: 5000, burst: 200 },
      concurrency: null,
    });
  });

  it("a policy's explicit limits override its own plan's", () => {
    expect(effectivePolicy(null, { plan: 'free', rateLimits: { perHour: 25 }, concurrency: 2 })).toMatchObject({
      rateLimits: { perHour: 25, perDay: 100 },
      concurrency: 2,
    });
  });

  it("the key's fields override the app default's, window by window; the rest comes from the app", () => {
    const appDefault: StoredPolicy = {
      rateLimits: { perMinute: 60, perHour: 1000 },
      ipAllowlist: ['10.0.0.0/8'],
      allowedModels: ['gpt-*'],
      dailySpendLimitMicros: 5_000_000,
    };
    const own: StoredPolicy = { rateLimits: { perMinute: 10 }, allowedModels: ['claude-*'] };
    expect(effectivePolicy(appDefault, own)).toEqual({
      plan: null,
      rateLimits: { perMinute: 10, perHour: 1000 },
      concurrency: null,
      ipAllowlist: ['10.0.0.0/8'],
      allowedModels: ['claude-*'],
      dailySpendLimitMicros: 5_000_000,
      rotationPeriodDays: null,
    });
  });

  describe('the plan in force: the key\'s, else the app default\'s', () => {
    it("a key on pro under a free default gets pro's presets, not free's", () => {
      expect(effectivePolicy({ plan: 'free' }, { plan: 'pro' })).toMatchObject({ plan: 'pro', rateLimits: { perHour: 200, perDay: 2000 }, concurrency: 10 });
    });

    it("a key on enterprise under a free default keeps none of free's preset windows or concurrency", () => {
      expect(effectivePolicy({ plan: 'free' }, { plan: 'enterprise' })).toMatchObject({ plan: 'enterprise', rateLimits: {}, concurrency: null });
    });

    it("a key without a plan takes the default's plan and its presets", () => {
      expect(effectivePolicy({ plan: 'starter' }, { rateLimits: { perMinute: 5 } })).toMatchObject({
        plan: 'starter',
        rateLimits: { perMinute: 5, perHour: 50, perDay: 500 },
        concurrency: 3,
      });
    });

    it("a key's plan wins over the app default's explicit limits; the windows the plan does not preset stay the default's", () => {
      const appDefault: StoredPolicy = { plan: 'free', rateLimits: { perHour: 5, perMinute: 2 }, concurrency: 2 };
      expect(effectivePolicy(appDefault, { plan: 'pro' })).toMatchObject({ rateLimits: { perMinute: 2, perHour: 200, perDay: 2000 }, concurrency: 10 });
    });

    it("a key's explicit limits win over its own plan's preset", () => {
      expect(effectivePolicy({ plan: 'free' }, { plan: 'pro', rateLimits: { perHour: 150 }, concurrency: 8 })).toMatchObject({
        rateLimits: { perHour: 150, perDay: 2000 },
        concurrency: 8,
      });
    });

    it("an enterprise key under a free default keeps the default's explicit burst and adds its own windows", () => {
      expect(effectivePolicy({ plan: 'free', rateLimits: { burst: 20 } }, { plan: 'enterprise', rateLimits: { perMinute: 5000 } }).rateLimits).toEqual({
        burst: 20,
        perMinute: 5000,
      });
    });
  });

  it('never loosens a field the key does not set (property)', () => {
    const limits = fc.record({ perMinute: fc.integer({ min: 1, max: 1000 }), perHour: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(limits, limits, (appLimits, keyLimits) => {
        const effective = effectivePolicy({ rateLimits: appLimits }, { rateLimits: keyLimits }).rateLimits;
        for (const field of ['perMinute', 'perHour'] as const) {
          expect(effective[field]).toBe(keyLimits[field] ?? appLimits[field]);
        }
      }),
    );
  });

  it('leaves the presets themselves untouched', () => {
    effectivePolicy({ plan: 'free', rateLimits: { perHour: 1 } }, { plan: 'free', rateLimits: { perDay: 3 } });
    expect(PLAN_PRESETS.free).toEqual({ rateLimits: { perHour: 10, perDay: 100 }, concurrency: 1 });
  });
});

describe('ipAllowed', () => {
  it('allows everyone without an allowlist, even without an IP', () => {
    expect(ipAllowed(compiled(null), undefined)).toBe(true);
  });

  it('allows an address inside any listed range', () => {
    const policy = compiled({ ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(ipAllowed(policy, '10.1.1.1')).toBe(true);
    expect(ipAllowed(policy, '2001:db8::9')).toBe(true);
    expect(ipAllowed(policy, '::ffff:10.1.1.1')).toBe(true);
    expect(ipAllowed(policy, '192.168.0.1')).toBe(false);
  });

  it('refuses an absent or unparsable IP when there is an allowlist', () => {
    const policy = compiled({ ipAllowlist: ['0.0.0.0/0'] });
    expect(ipAllowed(policy, undefined)).toBe(false);
    expect(ipAllowed(policy, 'not-an-ip')).toBe(false);
  });

  it('an empty allowlist allows nobody', () => {
    expect(ipAllowed(compiled({ ipAllowlist: [] }), '10.0.0.1')).toBe(false);
  });

  it('lets an IPv4 client through an IPv6 range exactly when the range covers its mapped form', () => {
    expect(ipAllowed(compiled({ ipAllowlist: ['::/0'] }), '198.51.100.1')).toBe(true);
    expect(ipAllowed(compiled({ ipAllowlist: ['::ffff:0:0/96'] }), '198.51.100.1')).toBe(true);
    expect(ipAllowed(compiled({ ipAllowlist: ['::/96'] }), '198.51.100.1')).toBe(false);
    expect(ipAllowed(compiled({ ipAllowlist: ['2001:db8::/32'] }), '198.51.100.1')).toBe(false);
  });

  it('answers every client as its IPv4-mapped IPv6 form is answered, whatever the allowlist', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.'));
    const range = fc.oneof(
      fc.tuple(ipv4, fc.nat(32)).map(([address, prefix]) => `${address}/${prefix}`),
      fc.tuple(ipv4, fc.integer({ min: 96, max: 128 })).map(([address, prefix]) => `::ffff:${address}/${prefix}`),
      fc.constantFrom('::/0', '::/64', '::ffff:0:0/95', '2001:db8::/32', '::1'),
    );
    fc.assert(
      fc.property(fc.array(range, { maxLength: 4 }), ipv4, (allowlist, client) => {
        const policy = compiled({ ipAllowlist: allowlist });
        // The mapped form is matched through ipaddr.js ranges, the dotted quad through the precomputed masks.
        expect(ipAllowed(policy, client)).toBe(ipAllowed(policy, `::ffff:${client}`));
      }),
    );
  });
});

describe('modelAllowed', () => {
  it('allows any model, or none, without a restriction', () => {
    expect(modelAllowed(compiled(null), undefined)).toBe(true);
    expect(modelAllowed(compiled(null), 'gpt-4o')).toBe(true);
  });

  it('allows models matching any glob and refuses the rest', () => {
    const policy = compiled({ allowedModels: ['gpt-4o*', 'text-embedding-3-small'] });
    expect(modelAllowed(policy, 'gpt-4o-mini')).toBe(true);
    expect(modelAllowed(policy, 'text-embedding-3-small')).toBe(true);
    expect(modelAllowed(policy, 'text-embedding-3-large')).toBe(false);
  });

  it('refuses a request that names no model when models are restricted', () => {
    expect(modelAllowed(compiled({ allowedModels: ['*'] }), undefined)).toBe(false);
  });
});

describe('money in policies', () => {
  it.each([0, 0.1, 12.5, 1.000001, 999_999_999.999999])('%s has at most 6 decimals', (amount) => expect(isMicroAmount(amount)).toBe(true));

  it.each([1.0000001, -1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('%s is not a micro amount', (amount) =>
    expect(isMicroAmount(amount)).toBe(false),
  );

  it('stores the daily spend limit as exact micro-units and reads it back unchanged', () => {
    expect(toStoredPolicy({ dailySpendLimit: 0.1, concurrency: 2 })).toEqual({ dailySpendLimitMicros: 100_000, concurrency: 2 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (micros) => {
        const amount = micros / 1_000_000;
        expect(toStoredPolicy({ dailySpendLimit: amount }).dailySpendLimitMicros).toBe(micros);
        expect(toWirePolicy(toStoredPolicy({ dailySpendLimit: amount }))).toEqual({ dailySpendLimit: amount });
      }),
    );
  });

  it('reads no policy as null', () => expect(toWirePolicy(null)).toBeNull());
});

describe('rotation period', () => {
  const issued = new Date('2026-01-01T00:00:00Z');

  it('sets the deadline that many days after the secret was issued', () => {
    expect(rotationDeadline(issued, 90)?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(rotationDeadline(issued, null)).toBeNull();
  });

  it('expires the key once the deadline has passed', () => {
    const input = { status: 'active' as const, expiresAt: null, secretExpiresAt: null, rotationDeadline: rotationDeadline(issued, 90) };
    expect(keyStateAt(input, new Date('2026-03-31T23:59:59Z'))).toBe('VALID');
    expect(keyStateAt(input, new Date('2026-04-01T00:00:00Z'))).toBe('KEY_EXPIRED');
  });
});

describe('validUntil', () => {
  const expiresAt = new Date('2026-06-01T00:00:00Z');
  const graceEnd = new Date('2026-05-01T00:00:00Z');
  const issued = new Date('2026-01-01T00:00:00Z');

  it('is the earliest of the key expiry, the secret grace and the rotation deadline', () => {
    expect(validUntil({ expiresAt, secretExpiresAt: graceEnd, rotationDeadline: rotationDeadline(issued, 90) })).toEqual(
      new Date('2026-04-01T00:00:00Z'),
    );
    expect(validUntil({ expiresAt, secretExpiresAt: graceEnd, rotationDeadline: null })).toEqual(graceEnd);
  });

  it('is null when nothing ends the key', () => {
    expect(validUntil({ expiresAt: null, secretExpiresAt: null, rotationDeadline: null })).toBeNull();
  });
});

describe('reservationWant', () => {
  it('asks for one token before any rate is known', () => {
    expect(reservationWant({ taken: 0, elapsedMs: 0, holdMs: 250, maxBlock: 1000 })).toBe(1);
  });

  it('scales the last interval rate to the hold time', () => {
    expect(reservationWant({ taken: 40, elapsedMs: 100, holdMs: 250, maxBlock: 1000 })).toBe(100);
  });

  it('stays between 1 and maxBlock (property)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(100_000), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 5000 }), (taken, elapsedMs, holdMs, maxBlock) => {
        const want = reservationWant({ taken, elapsedMs, holdMs, maxBlock });
        expect(want).toBeGreaterThanOrEqual(1);
        expect(want).toBeLessThanOrEqual(maxBlock);
        expect(Number.isInteger(want)).toBe(true);
      }),
    );
  });
});
