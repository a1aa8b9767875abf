import { coverageIssues } from './coverage';
import { delegationIssues, inheritRestrictions, type KeyRestrictions } from './delegation';

const creator: KeyRestrictions = {
  scopes: ['keys.*', 'apps.read'],
  appIds: ['app_a'],
  expiresAt: new Date('2030-01-01T01:00:00Z'),
  rateLimits: { perMinute: 100 },
  ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
  rotationPeriodDays: 30,
};

const within: KeyRestrictions = {
  scopes: ['keys.read'],
  appIds: ['app_a'],
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  rateLimits: { perMinute: 10 },
  ipAllowlist: ['10.1.0.0/16', '2001:db8:1::1'],
  rotationPeriodDays: 7,
};

const fieldsOf = (child: Partial<KeyRestrictions>) => delegationIssues(creator, { ...within, ...child }).map((issue) => issue.field);

describe('delegationIssues', () => {
  it('accepts a child within its creator in every respect', () => {
    expect(delegationIssues(creator, within)).toEqual([]);
  });

  it.each<[string, Partial<KeyRestrictions>, string]>([
    ['a scope not held', { scopes: ['webhooks.read'] }, 'scopes'],
    ['a wildcard broader than held', { scopes: ['*'] }, 'scopes'],
    ['every app', { appIds: null }, 'appIds'],
    ['no expiry', { expiresAt: null }, 'expiresAt'],
    ['a later expiry', { expiresAt: new Date('2030-01-01T02:00:00Z') }, 'expiresAt'],
    ['no rate limit', { rateLimits: {} }, 'policy.rateLimits.perMinute'],
    ['a looser rate limit', { rateLimits: { perMinute: 101 } }, 'policy.rateLimits.perMinute'],
    ['only a shorter window', { rateLimits: { burst: 1 } }, 'policy.rateLimits.perMinute'],
    ['no allowlist', { ipAllowlist: null }, 'policy.ipAllowlist'],
    ['a wider range', { ipAllowlist: ['10.0.0.0/7'] }, 'policy.ipAllowlist'],
    ['a range of the other family', { ipAllowlist: ['::/0'] }, 'policy.ipAllowlist'],
    ['no rotation period', { rotationPeriodDays: null }, 'policy.rotationPeriodDays'],
    ['a longer rotation period', { rotationPeriodDays: 31 }, 'policy.rotationPeriodDays'],
  ])('refuses %s', (_, child, field) => {
    expect(fieldsOf(child)).toEqual([field]);
  });

  it('counts a longer window at most the limit as bounding a shorter one (windows nest)', () => {
    expect(fieldsOf({ rateLimits: { perDay: 100 } })).toEqual([]);
    expect(fieldsOf({ rateLimits: { perHour: 101 } })).toEqual(['policy.rateLimits.perMinute']);
  });

  it('lets an unrestricted creator hand out anything it holds', () => {
    const open: KeyRestrictions = { scopes: ['*'], appIds: null, expiresAt: null, rateLimits: {}, ipAllowlist: null, rotationPeriodDays: null };
    expect(delegationIssues(open, { ...open, scopes: ['keys.read'] })).toEqual([]);
  });
});

describe('coverageIssues', () => {
  it('covers a key only when every scope is held and its apps are within the restriction', () => {
    expect(coverageIssues({ scopes: ['keys.revoke'], appIds: null }, { scopes: ['*'], appIds: null })).toEqual([
      { field: 'scopes', message: 'not held by the calling key: *' },
    ]);
    expect(coverageIssues({ scopes: ['keys.*'], appIds: ['app_a'] }, { scopes: ['keys.read'], appIds: null }).map((i) => i.field)).toEqual(['appIds']);
    expect(coverageIssues({ scopes: ['keys.*'], appIds: ['app_a', 'app_b'] }, { scopes: ['keys.read'], appIds: ['app_b'] })).toEqual([]);
  });
});

describe('inheritRestrictions', () => {
  it('fills in what the child leaves out and keeps what it sets', () => {
    expect(inheritRestrictions(creator, { rateLimits: { perHour: 5 } })).toEqual({
      rateLimits: { perMinute: 100, perHour: 5 },
      ipAllowlist: creator.ipAllowlist,
      rotationPeriodDays: 30,
    });
    expect(inheritRestrictions(creator, { ipAllowlist: ['10.0.0.1'], rotationPeriodDays: 1 })).toMatchObject({
      ipAllowlist: ['10.0.0.1'],
      rotationPeriodDays: 1,
    });
  });
});
