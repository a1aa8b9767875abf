import { rotationRefusal } from './key-state';

describe('rotationRefusal', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const earlier = new Date('2026-05-01T11:59:59Z');
  const later = new Date('2026-05-01T12:00:01Z');

  it.each([
    ['an active key without expiry', { status: 'active' as const, expiresAt: null }],
    ['an active key expiring later', { status: 'active' as const, expiresAt: later }],
    ['a disabled key (its new secret works once enabled)', { status: 'disabled' as const, expiresAt: null }],
  ])('lets %s be rotated', (_label, key) => {
    expect(rotationRefusal(key, now)).toBeNull();
  });

  it.each([
    ['past', earlier],
    ['exactly now', now],
  ])('refuses a key whose expiry is %s, saying the new secret would never verify', (_label, expiresAt) => {
    expect(rotationRefusal({ status: 'active', expiresAt }, now)).toMatch(/^Key has expired: a rotation would issue a secret that never verifies/);
  });

  it('refuses an expired disabled key too: enabling it would not make the new secret verify', () => {
    expect(rotationRefusal({ status: 'disabled', expiresAt: earlier }, now)).toMatch(/^Key has expired/);
  });

  it('refuses a revoked key, whatever its expiry', () => {
    expect(rotationRefusal({ status: 'revoked', expiresAt: later }, now)).toBe('Key is revoked; revocation is irreversible');
    expect(rotationRefusal({ status: 'revoked', expiresAt: earlier }, now)).toBe('Key is revoked; revocation is irreversible');
  });
});
