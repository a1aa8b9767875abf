import type { RateLimits } from '../wire/policy';

/** Fixed windows aligned to the Unix epoch (so to UTC minutes, hours and days). */
export const RATE_WINDOWS = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
} as const;
export type RateWindowName = keyof typeof RATE_WINDOWS;

export interface RateWindowLimit {
  window: RateWindowName;
  limit: number;
}

const WINDOW_OF_FIELD: Record<keyof RateLimits, RateWindowName> = {
  burst: 'second',
  perMinute: 'minute',
  perHour: 'hour',
  perDay: 'day',
};

/** The rate limit fields, shortest window first. */
const RATE_LIMIT_FIELDS = ['burst', 'perMinute', 'perHour', 'perDay'] as const;

/** The windows a set of limits defines, shortest first. */
export function rateWindows(limits: RateLimits): RateWindowLimit[] {
  const windows: RateWindowLimit[] = [];
  for (const field of RATE_LIMIT_FIELDS) {
    const limit = limits[field];
    if (limit !== undefined) windows.push({ window: WINDOW_OF_FIELD[field], limit });
  }
  return windows;
}

/**
 * What is wrong with one window's limit beside the longer windows set with it, or null: a
 * shorter window allowing more than a longer one (e.g. 100 per minute but 50 per hour) can
 * never be reached, so the limits do not say what their author meant.
 */
export function rateLimitContradiction(limits: RateLimits, field: keyof RateLimits): string | null {
  const limit = limits[field];
  if (typeof limit !== 'number') return null;
  for (const longer of RATE_LIMIT_FIELDS.slice(RATE_LIMIT_FIELDS.indexOf(field) + 1)) {
    const longerLimit = limits[longer];
    if (typeof longerLimit === 'number' && limit > longerLimit) return `must not exceed ${longer} (${longerLimit})`;
  }
  return null;
}

export function windowStartMs(window: RateWindowName, nowMs: number): number {
  const size = RATE_WINDOWS[window];
  return Math.floor(nowMs / size) * size;
}

/** When the window containing `nowMs` ends, in Unix epoch seconds. */
export function windowResetSeconds(window: RateWindowName, nowMs: number): number {
  return (windowStartMs(window, nowMs) + RATE_WINDOWS[window]) / 1000;
}

const DAY_MS = RATE_WINDOWS.day;
let lastDayStartMs = Number.NaN;
let lastDay = '';

/**
 * The UTC day of an instant, `YYYY-MM-DD`. Every capped verify asks for today's: the
 * string is built once per day asked for in a row, not on every call.
 */
export function utcDay(nowMs: number): string {
  const dayStartMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  if (dayStartMs !== lastDayStartMs) {
    lastDay = new Date(dayStartMs).toISOString().slice(0, 10);
    lastDayStartMs = dayStartMs;
  }
  return lastDay;
}
