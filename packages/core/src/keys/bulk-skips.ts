import type { BulkKeyAction } from '../wire/keys';
import { KEY_REVOKED_IRREVERSIBLE, KEY_REVOKED_UNCHANGEABLE, type KeyStateInput, rotationRefusal } from './key-state';

/** What a bulk action needs to know of a matched key to tell whether it changes it. */
export type BulkKeyFacts = Pick<KeyStateInput, 'status' | 'expiresAt'>;

/** What a bulk action asks beyond the action itself. */
export interface BulkActionRequest {
  /** `expire`: the expiry every matched key gets (null clears it). */
  expiresAt?: Date | null;
}

const ALREADY: Record<'revoke' | 'disable' | 'enable', { status: KeyStateInput['status']; reason: string }> = {
  revoke: { status: 'revoked', reason: 'Key is already revoked' },
  disable: { status: 'disabled', reason: 'Key is already disabled' },
  enable: { status: 'active', reason: 'Key is already enabled' },
};

/**
 * Why a bulk `action` leaves a matched key as it is at `now`, or null when it changes it:
 * the refusal the single operation would answer (a revoked key cannot be enabled, disabled
 * or given an expiry; rotation as `rotationRefusal`), or the key already being as the
 * action would leave it. One rule for the real run and its dry run.
 */
export function bulkSkipReason(action: BulkKeyAction, key: BulkKeyFacts, request: BulkActionRequest, now: Date): string | null {
  switch (action) {
    case 'rotate':
      return rotationRefusal(key, now);
    case 'expire': {
      if (key.status === 'revoked') return KEY_REVOKED_UNCHANGEABLE;
      const target = request.expiresAt ?? null;
      if ((key.expiresAt?.getTime() ?? null) !== (target?.getTime() ?? null)) return null;
      return target === null ? 'Key already has no expiry' : `Key already expires at ${target.toISOString()}`;
    }
    default:
      if (key.status === 'revoked' && action !== 'revoke') return KEY_REVOKED_IRREVERSIBLE;
      return key.status === ALREADY[action].status ? ALREADY[action].reason : null;
  }
}
