import type { ErrorCode } from '../errors';
import type { RateLimitState } from '../wire/policy';

const DAY_MS = 86_400_000;
/** A concurrency slot frees as soon as a request in flight finishes. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}

/**
 * The `Retry-After` of a refused request: seconds until it could pass, never below 1 (no
 * tight retry loops). Used by the API's key-policy guard and the SDK's middleware.
 * - a spend cap (USAGE_EXCEEDED) resets at the next UTC midnight;
 * - an exhausted rate window (remaining 0) at its `reset` (epoch seconds);
 * - a RATE_LIMITED with requests left in the window, or without a window, came from the
 *   concurrency limit, whose slot frees as soon as a request in flight finishes.
 */
export function retryAfterSeconds(code: ErrorCode, state: RateLimitState | undefined, nowMs: number): number {
  if (code === 'USAGE_EXCEEDED') return secondsUntil((Math.floor(nowMs / DAY_MS) + 1) * DAY_MS, nowMs);
  if (!state || state.remaining > 0) return CONCURRENCY_RETRY_AFTER_SECONDS;
  return secondsUntil(state.reset * 1000, nowMs);
}
