import fc from 'fast-check';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, MAX_RETRY_AFTER_MS, MAX_RETRY_DELAY_MS, nextRetryDelay, parseRetryAfter, parseRetrySchedule } from './retry-schedule';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseRetrySchedule', () => {
  it('reads the default schedule of the spec', () => {
    expect(parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE)).toEqual([
      5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR,
    ]);
  });

  it('reads milliseconds and days, with spaces around commas', () => {
    expect(parseRetrySchedule('100ms, 1d')).toEqual([100, 86_400_000]);
  });

  it('takes delays up to 30 days', () => {
    expect(parseRetrySchedule('30d,720h')).toEqual([MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]);
  });

  it.each(['31d', '5s,100000000d', '99999999999999999999d'])('rejects %j: a delay longer than 30 days', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow(/is longer than 30d/);
  });

  it.each(['', '5', '5x', '5s,,5m', '-5s', '1.5s'])('rejects %j', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow(/is not a duration/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120 * SECOND);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:01:00 GMT', now)).toBe(MINUTE);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, null, '', 'soon', '-1'])('ignores %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeNull();
  });
});

describe('nextRetryDelay', () => {
  const schedule = parseRetrySchedule('5s,5m,30m');

  it('follows the schedule, one step per failure', () => {
    expect([0, 1, 2].map((retryIndex) => nextRetryDelay({ retryIndex, schedule, random: 0.5 }))).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE]);
  });

  it('gives up once the schedule is used up', () => {
    expect(nextRetryDelay({ retryIndex: 3, schedule, random: 0.5 })).toBeNull();
  });

  it('jitters every step by at most 20 % either way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retryIndex, random) => {
        const delay = nextRetryDelay({ retryIndex, schedule, random }) as number;
        expect(delay).toBeGreaterThanOrEqual(schedule[retryIndex] * 0.8 - 1);
        expect(delay).toBeLessThanOrEqual(schedule[retryIndex] * 1.2 + 1);
      }),
    );
  });

  it('waits as long as Retry-After asks when that is longer than the step', () => {
    expect(nextRetryDelay({ retryIndex: 0, schedule, random: 0.5, retryAfterMs: 2 * MINUTE })).toBe(2 * MINUTE);
  });

  it('keeps the scheduled delay when Retry-After is shorter', () => {
    expect(nextRetryDelay({ retryIndex: 1, schedule, random: 0.5, retryAfterMs: SECOND })).toBe(5 * MINUTE);
  });

  it('caps Retry-After at one day', () => {
    expect(nextRetryDelay({ retryIndex: 0, schedule, random: 0.5, retryAfterMs: 7 * 24 * HOUR })).toBe(MAX_RETRY_AFTER_MS);
  });
});
