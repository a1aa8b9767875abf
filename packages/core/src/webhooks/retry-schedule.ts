/**
 * When a failed delivery is tried again: a fixed schedule (Standard Webhooks / Svix
 * style), jittered so that endpoints coming back do not get every retry at once, and
 * pushed back when the receiver asked for it with `Retry-After` (429 / 503).
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h';
/** Delays vary by ±20 %. */
export const RETRY_JITTER = 0.2;
/** A Retry-After beyond this is capped: a receiver cannot park a delivery forever. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * The longest delay a schedule may name: beyond, the next attempt's date would lie past
 * what a Date (and the database) can hold, and every failed attempt would fail to settle.
 */
export const MAX_RETRY_DELAY_MS = 30 * 86_400_000;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** `"5s,5m,2h"` → `[5000, 300000, 7200000]`; throws a readable error on anything else. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const delays = parts.map((part) => {
    const match = DURATION.exec(part);
    if (!match) throw new Error(`"${part}" is not a duration like 500ms, 5s, 5m, 2h or 1d`);
    const delay = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (delay > MAX_RETRY_DELAY_MS) throw new Error(`"${part}" is longer than 30d`);
    return delay;
  });
  if (delays.length === 0 || delays.length > 50) throw new Error('needs 1 to 50 delays');
  return delays;
}

/**
 * `Retry-After` as delta-seconds or an HTTP date, in ms from `nowMs`; null when absent
 * or unreadable. Never negative.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  // An HTTP date names its weekday and month; bare numbers like "-1" are not dates.
  const date = /^[A-Za-z]{3}, /.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

export interface RetryDecision {
  /** `retryIndex`: retries already used in this cycle (0 after the first failure). */
  retryIndex: number;
  schedule: readonly number[];
  /** What the receiver asked for, in ms; honoured when longer than the scheduled delay. */
  retryAfterMs?: number | null;
  /** A number in [0, 1), e.g. Math.random(). */
  random: number;
}

/** The delay before the next attempt, or null once the schedule is used up. */
export function nextRetryDelay({ retryIndex, schedule, retryAfterMs, random }: RetryDecision): number | null {
  if (retryIndex >= schedule.length) return null;
  const jittered = Math.round(schedule[retryIndex] * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random));
  if (retryAfterMs === null || retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
