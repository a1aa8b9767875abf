import type { ErrorCode } from '../errors';

export type KeyState = 'VALID' | Extract<ErrorCode, 'KEY_REVOKED' | 'KEY_EXPIRED' | 'KEY_DISABLED'>;

export interface KeyStateInput {
  status: 'active' | 'revoked' | 'disabled';
  /** The key's own expiry. */
  expiresAt: Date | null;
  /** The presented secret's rotation deadline (null while it is the current secret). */
  secretExpiresAt: Date | null;
  /** When the secret must have been rotated under the key's rotation period (policy). */
  rotationDeadline?: Date | null;
}

/**
 * Whether a presented secret opens its key at `now`. A secret past its rotation grace
 * answers KEY_REVOKED: it was valid once and has been withdrawn.
 */
export function keyStateAt(input: KeyStateInput, now: Date): KeyState {
  if (input.status === 'revoked') return 'KEY_REVOKED';
  if (input.secretExpiresAt !== null && input.secretExpiresAt.getTime() <= now.getTime()) return 'KEY_REVOKED';
  if (input.status === 'disabled') return 'KEY_DISABLED';
  if (input.expiresAt !== null && input.expiresAt.getTime() <= now.getTime()) return 'KEY_EXPIRED';
  if (input.rotationDeadline && input.rotationDeadline.getTime() <= now.getTime()) return 'KEY_EXPIRED';
  return 'VALID';
}

/**
 * When a presented secret stops opening its key, the clock alone deciding: the earliest of
 * the key's expiry, the end of the secret's rotation grace and the rotation deadline of its
 * policy; null when none is set.
 */
export function validUntil(input: Omit<KeyStateInput, 'status'>): Date | null {
  let until: Date | null = null;
  for (const at of [input.expiresAt, input.secretExpiresAt, input.rotationDeadline ?? null]) {
    if (at !== null && (until === null || at.getTime() < until.getTime())) until = at;
  }
  return until;
}

/**
 * The status shown on a key: stored status, with `expired` derived from the clock, past
 * the key's expiry or past its current secret's `rotationDeadline` (verify answers
 * KEY_EXPIRED for both).
 */
export function displayStatus(
  status: KeyStateInput['status'],
  expiresAt: Date | null,
  now: Date,
  rotationDeadline: Date | null = null,
): 'active' | 'revoked' | 'disabled' | 'expired' {
  if (status !== 'active') return status;
  const until = validUntil({ expiresAt, secretExpiresAt: null, rotationDeadline });
  return until !== null && until.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** The 409 of a status change or a rotation asked of a revoked key. */
export const KEY_REVOKED_IRREVERSIBLE = 'Key is revoked; revocation is irreversible';
/** The 409 of any other change (an update, a new expiry) asked of a revoked key. */
export const KEY_REVOKED_UNCHANGEABLE = 'Key is revoked and can no longer be changed';

/**
 * Who is told what to do about an expired key: an operator may move the key's expiry, a
 * customer in the portal cannot and can only create a new key.
 */
export type RotationAudience = 'operator' | 'customer';

const EXPIRED_KEY_REMEDY: Record<RotationAudience, string> = {
  operator: 'set a later expiresAt or create a new key',
  customer: 'create a new key',
};

/**
 * Why a key may not be rotated at `now`, or null when it may. A rotation gives the key a
 * new secret, nothing else: a key past its own expiry would get a secret that never
 * verifies, and revocation is final. A disabled key may be rotated (the new secret works
 * once it is enabled), and so may one overdue for its rotation period: rotating renews it.
 */
export function rotationRefusal(key: Pick<KeyStateInput, 'status' | 'expiresAt'>, now: Date, audience: RotationAudience = 'operator'): string | null {
  if (key.status === 'revoked') return KEY_REVOKED_IRREVERSIBLE;
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
    return `Key has expired: a rotation would issue a secret that never verifies; ${EXPIRED_KEY_REMEDY[audience]}`;
  }
  return null;
}
