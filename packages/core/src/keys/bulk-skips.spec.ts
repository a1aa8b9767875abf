import { bulkSkipReason } from './bulk-skips';

describe('bulkSkipReason', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const later = new Date('2026-06-01T00:00:00Z');
  const active = { status: 'active' as const, expiresAt: null };
  const disabled = { status: 'disabled' as const, expiresAt: null };
  const revoked = { status: 'revoked' as const, expiresAt: null };

  it.each([
    ['revoke', active],
    ['revoke', disabled],
    ['disable', active],
    ['enable', disabled],
    ['rotate', active],
  ] as const)('%s changes a %j key', (action, key) => {
    expect(bulkSkipReason(action, key, {}, now)).toBeNull();
  });

  it.each([
    ['revoke', revoked, 'Key is already revoked'],
    ['disable', disabled, 'Key is already disabled'],
    ['enable', active, 'Key is already enabled'],
    ['disable', revoked, 'Key is revoked; revocation is irreversible'],
    ['enable', revoked, 'Key is revoked; revocation is irreversible'],
    ['rotate', revoked, 'Key is revoked; revocation is irreversible'],
  ] as const)('%s leaves a %j key, saying why', (action, key, reason) => {
    expect(bulkSkipReason(action, key, {}, now)).toBe(reason);
  });

  it('rotate leaves a key past its expiry as a single rotation refuses it', () => {
    expect(bulkSkipReason('rotate', { status: 'active', expiresAt: now }, {}, now)).toMatch(/^Key has expired: .*set a later expiresAt or create a new key$/);
  });

  it('expire changes a key to another expiry, or clears one, whatever its status but revoked', () => {
    expect(bulkSkipReason('expire', disabled, { expiresAt: later }, now)).toBeNull();
    expect(bulkSkipReason('expire', { status: 'active', expiresAt: later }, { expiresAt: null }, now)).toBeNull();
  });

  it('expire leaves a revoked key and a key that already has that expiry, or none', () => {
    expect(bulkSkipReason('expire', revoked, { expiresAt: later }, now)).toBe('Key is revoked and can no longer be changed');
    expect(bulkSkipReason('expire', { status: 'active', expiresAt: new Date(later) }, { expiresAt: later }, now)).toBe(`Key already expires at ${later.toISOString()}`);
    expect(bulkSkipReason('expire', active, { expiresAt: null }, now)).toBe('Key already has no expiry');
  });
});
