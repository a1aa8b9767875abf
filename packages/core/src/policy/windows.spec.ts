import fc from 'fast-check';
import { rateLimitContradiction, rateWindows, RATE_WINDOWS, utcDay, windowResetSeconds, windowStartMs } from './windows';

describe('rateWindows', () => {
  it('lists the set limits shortest window first', () => {
    expect(rateWindows({ perDay: 100, burst: 5, perHour: 10 })).toEqual([
      { window: 'second', limit: 5 },
      { window: 'hour', limit: 10 },
      { window: 'day', limit: 100 },
    ]);
  });

  it('is empty without limits', () => expect(rateWindows({})).toEqual([]));
});

describe('window arithmetic', () => {
  it('resets at the next UTC minute, hour and day boundary', () => {
    const now = Date.parse('2026-11-26T11:42:17.250Z');
    expect(windowResetSeconds('second', now)).toBe(Date.parse('2026-11-26T11:42:18Z') / 1000);
    expect(windowResetSeconds('minute', now)).toBe(Date.parse('2026-11-26T11:43:00Z') / 1000);
    expect(windowResetSeconds('hour', now)).toBe(Date.parse('2026-11-26T12:00:00Z') / 1000);
    expect(windowResetSeconds('day', now)).toBe(Date.parse('2026-11-27T00:00:00Z') / 1000);
  });

  it('every instant lies inside its window', () => {
    fc.assert(
      fc.property(fc.nat(4_000_000_000_000), fc.constantFrom(...(Object.keys(RATE_WINDOWS) as Array<keyof typeof RATE_WINDOWS>)), (now, window) => {
        const start = windowStartMs(window, now);
        expect(start).toBeLessThanOrEqual(now);
        expect(windowResetSeconds(window, now) * 1000).toBeGreaterThan(now);
        expect(windowResetSeconds(window, now) * 1000 - start).toBe(RATE_WINDOWS[window]);
      }),
    );
  });

  it('names the UTC day', () => expect(utcDay(Date.parse('2026-11-26T23:59:59.999Z'))).toBe('2026-11-26'));

  it('names the day of every instant, asked in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(4_000_000_000_000), { minLength: 1, maxLength: 5 }), (instants) => {
        for (const now of instants) expect(utcDay(now)).toBe(new Date(now).toISOString().slice(0, 10));
      }),
    );
  });
});

describe('rateLimitContradiction', () => {
  it.each([
    ['consistent windows', { perMinute: 10, perHour: 100, perDay: 1000 }, 'perMinute', null],
    ['equal windows', { perMinute: 10, perHour: 10 }, 'perMinute', null],
    ['a minute allowing more than an hour', { perMinute: 100, perHour: 50 }, 'perMinute', 'must not exceed perHour (50)'],
    ['a burst above the day', { burst: 20, perDay: 10 }, 'burst', 'must not exceed perDay (10)'],
    ['the longer window of a contradiction', { perMinute: 100, perHour: 50 }, 'perHour', null],
    ['a window left out', { perHour: 50 }, 'perMinute', null],
  ] as const)('%s', (_label, limits, field, problem) => {
    expect(rateLimitContradiction(limits, field)).toBe(problem);
  });
});
