import { type AppKey, type RotationAudience, rotationRefusal } from '@keywarden/core';

/** What each reader can do about a key past its expiry: a customer cannot move it. */
const EXPIRED_HINT: Record<RotationAudience, string> = {
  operator: 'expired: set a later expiry first',
  customer: 'expired: create a new key',
};

/**
 * Why Rotate is offered disabled on a key the API would refuse to rotate (past its
 * expiresAt, by the API's own rule; a revoked key offers no Rotate at all). Decided by
 * expiresAt, not by status: a key overdue for its rotation period reads `expired` too, and
 * rotating is how it is renewed.
 */
export function rotationUnavailable(appKey: Pick<AppKey, 'status' | 'expiresAt'>, audience: RotationAudience, now = new Date()): string | undefined {
  const status = appKey.status === 'expired' ? 'active' : appKey.status;
  const refused = rotationRefusal({ status, expiresAt: appKey.expiresAt === null ? null : new Date(appKey.expiresAt) }, now) !== null;
  return refused ? EXPIRED_HINT[audience] : undefined;
}
