import { createHash } from 'node:crypto';
import type { LeakAction, LeakResponse } from '../wire/leaks';

/** Reports of one key within this long of its incident's first report are that incident. */
export const LEAK_INCIDENT_WINDOW_MS = 24 * 3_600_000;
/** Most reports one leak alert keeps in its evidence (the count is in `occurrences`). */
export const MAX_LEAK_REPORTS_KEPT = 20;
/** Most tokens one GitHub secret scanning request may carry; larger batches are refused (413). */
export const MAX_GITHUB_TOKENS = 10_000;

/** GitHub's `token_hash`: hex SHA-256 of the token. */
export function githubTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * What a confirmed leak does to a key in `status`: the app's response, unless the key is
 * already refused that way (a revoked key stays revoked; nothing is re-enabled).
 */
export function leakAction(response: LeakResponse, status: 'active' | 'revoked' | 'disabled'): LeakAction {
  if (status === 'revoked' || response === 'notify') return 'none';
  if (response === 'disable') return status === 'disabled' ? 'none' : 'disabled';
  return 'revoked';
}
