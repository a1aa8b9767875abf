import { displayStatus, rotationRefusal } from './key-state';

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

describe('displayStatus', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const earlier = new Date('2026-05-01T11:59:59Z');
  const later = new Date('2026-05-01T12:00:01Z');

  it.each([
    ['no expiry and no rotation deadline', null, null, 'active'],
    ['an expiry and a rotation deadline still ahead', later, later, 'active'],
    ['an expiry past', earlier, null, 'expired'],
    ['a rotation deadline past (overdue for its rotation period)', null, earlier, 'expired'],
    ['a rotation deadline reached exactly now', later, now, 'expired'],
  ])('shows an active key with %s as %s', (_label, expiresAt, rotationDeadline, shown) => {
    expect(displayStatus('active', expiresAt, now, rotationDeadline)).toBe(shown);
  });

  it('shows a revoked or disabled key as such, whatever its deadlines', () => {
    expect(displayStatus('revoked', earlier, now, earlier)).toBe('revoked');
    expect(displayStatus('disabled', earlier, now, earlier)).toBe('disabled');
  });
});

describe('rotationRefusal for a portal customer', () => {
  it('tells a customer, who cannot move the expiry, to create a new key', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    expect(rotationRefusal({ status: 'active', expiresAt: now }, now, 'customer')).toBe(
      'Key has expired: a rotation would issue a secret that never verifies; create a new key',
    );
  });
});
