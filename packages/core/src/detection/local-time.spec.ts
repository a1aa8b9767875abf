import fc from 'fast-check';
import { DEFAULT_BUSINESS_HOURS } from '../wire/apps';
import { describeClock, isBusinessTime, isValidTimeZone, localClock, utcOffsetMs, weekdayName } from './local-time';

describe('utcOffsetMs', () => {
  it('follows daylight saving time in Europe/Berlin', () => {
    expect(utcOffsetMs('Europe/Berlin', Date.UTC(2026, 0, 15, 12))).toBe(3_600_000);
    expect(utcOffsetMs('Europe/Berlin', Date.UTC(2026, 6, 15, 12))).toBe(7_200_000);
  });

  it('switches at the exact minute of the change (01:00 UTC on 2026-03-29)', () => {
    expect(utcOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59))).toBe(3_600_000);
    expect(utcOffsetMs('Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0))).toBe(7_200_000);
  });

  it('handles half-hour zones', () => {
    expect(utcOffsetMs('Asia/Kolkata', Date.UTC(2026, 0, 15, 12))).toBe(5.5 * 3_600_000);
  });

  // Offsets are remembered for spans of quarter hours between lookups: every quarter hour
  // must still get the offset the zone's calendar gives it, stepping forward (as detection
  // does, minute by minute) and jumping around.
  const calendar = (zone: string) => new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const calendarOffset = (f: Intl.DateTimeFormat, ms: number) => {
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - ms;
  };
  const QUARTER = 15 * 60_000;
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'Asia/Kolkata', 'UTC'];

  it.each(['Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago'])('gives every quarter hour of a year in %s the offset of its calendar', (zone) => {
    const f = calendar(zone);
    const mismatches: number[] = [];
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += QUARTER) {
      if (utcOffsetMs(zone, ms + 7 * 60_000) !== calendarOffset(f, ms)) mismatches.push(ms);
    }
    expect(mismatches).toEqual([]);
  });

  it('gives instants asked in any order the offset of their calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        return utcOffsetMs(zone, ms) === calendarOffset(calendar(zone), Math.floor(ms / QUARTER) * QUARTER);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('localClock', () => {
  it('gives the local weekday, minute of day and hour of week', () => {
    // 2026-01-05 is a Monday; 23:30 UTC is Tuesday 08:30 in Tokyo.
    expect(localClock('Asia/Tokyo', Date.UTC(2026, 0, 5, 23, 30))).toEqual({ weekday: 2, minuteOfDay: 8 * 60 + 30, hourOfWeek: 2 * 24 + 8 });
  });

  it('reads the local calendar of the instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'), (ms, zone) => {
        const local = new Date(ms + utcOffsetMs(zone, ms));
        const c = localClock(zone, ms);
        return c.weekday === local.getUTCDay() && c.minuteOfDay === local.getUTCHours() * 60 + local.getUTCMinutes() && c.hourOfWeek === c.weekday * 24 + local.getUTCHours();
      }),
      { numRuns: 2000 },
    );
  });

  it('always yields an hour of week in 0..167 consistent with weekday and minute', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'), (ms, zone) => {
        const c = localClock(zone, ms);
        return c.hourOfWeek === c.weekday * 24 + Math.floor(c.minuteOfDay / 60) && c.hourOfWeek >= 0 && c.hourOfWeek < 168;
      }),
    );
  });
});

describe('isBusinessTime', () => {
  const at = (weekday: number, hhmm: string) => ({ weekday, minuteOfDay: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)), hourOfWeek: 0 });

  it('includes the start and excludes the end of the day', () => {
    expect(isBusinessTime(DEFAULT_BUSINESS_HOURS, at(1, '08:00'))).toBe(true);
    expect(isBusinessTime(DEFAULT_BUSINESS_HOURS, at(1, '18:59'))).toBe(true);
    expect(isBusinessTime(DEFAULT_BUSINESS_HOURS, at(1, '19:00'))).toBe(false);
  });

  it('excludes days not listed', () => {
    expect(isBusinessTime(DEFAULT_BUSINESS_HOURS, at(6, '10:00'))).toBe(false);
    expect(isBusinessTime(DEFAULT_BUSINESS_HOURS, at(0, '10:00'))).toBe(false);
  });

  it('lets overnight hours belong to the day they start on', () => {
    const night = { days: weekdays(5), start: '22:00', end: '06:00' };
    expect(isBusinessTime(night, at(5, '23:00'))).toBe(true);
    expect(isBusinessTime(night, at(6, '05:59'))).toBe(true);
    expect(isBusinessTime(night, at(6, '23:00'))).toBe(false);
    expect(isBusinessTime(night, at(5, '05:00'))).toBe(false);
  });
});

describe('names', () => {
  it('maps JavaScript weekday numbers to core weekday names', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(weekdayName)).toEqual(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);
  });

  it('describes a local time for evidence', () => {
    expect(describeClock({ weekday: 2, minuteOfDay: 135, hourOfWeek: 50 })).toBe('Tue 02:15');
  });

  it('knows IANA zones and rejects made-up ones', () => {
    expect(isValidTimeZone('America/Los_Angeles')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

function weekdays(...jsDays: number[]) {
  return jsDays.map(weekdayName);
}
