import { WEEKDAYS, type BusinessHours, type Weekday } from '../wire/apps';

const MINUTE_MS = 60_000;
/** UTC offsets change only on quarter-hour boundaries, so one lookup per quarter hour suffices. */
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
const OFFSET_CACHE_LIMIT = 100_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at `utcMs`, in ms (Berlin in winter: +3,600,000). */
export function utcOffsetMs(timeZone: string, utcMs: number): number {
  const quarter = Math.floor(utcMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const cacheKey = `${timeZone}|${quarter}`;
  let offset = offsets.get(cacheKey);
  if (offset === undefined) {
    const parts: Record<string, number> = {};
    for (const p of formatter(timeZone).formatToParts(new Date(quarter))) parts[p.type] = Number(p.value);
    offset = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - quarter;
    if (offsets.size >= OFFSET_CACHE_LIMIT) offsets.clear();
    offsets.set(cacheKey, offset);
  }
  return offset;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock facts of an instant in a zone. */
export interface LocalClock {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** 0 … 1439. */
  minuteOfDay: number;
  /** 0 … 167: weekday × 24 + hour. */
  hourOfWeek: number;
}

export function localClock(timeZone: string, utcMs: number): LocalClock {
  const local = new Date(utcMs + utcOffsetMs(timeZone, utcMs));
  const weekday = local.getUTCDay();
  const hour = local.getUTCHours();
  return { weekday, minuteOfDay: hour * 60 + local.getUTCMinutes(), hourOfWeek: weekday * 24 + hour };
}

/** Core weekday name of a JavaScript weekday number (0 = Sunday). */
export function weekdayName(jsWeekday: number): Weekday {
  return WEEKDAYS[(jsWeekday + 6) % 7];
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Whether a local clock falls inside business hours (`end` exclusive). When `end` is not
 * after `start` the hours run overnight and belong to the day they start on.
 */
export function isBusinessTime(hours: BusinessHours, clock: LocalClock): boolean {
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  const today = hours.days.includes(weekdayName(clock.weekday));
  if (start < end) return today && clock.minuteOfDay >= start && clock.minuteOfDay < end;
  const yesterday = hours.days.includes(weekdayName((clock.weekday + 6) % 7));
  return (today && clock.minuteOfDay >= start) || (yesterday && clock.minuteOfDay < end);
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Tue 02:15`: how evidence names a local time. */
export function describeClock(clock: LocalClock): string {
  const hh = String(Math.floor(clock.minuteOfDay / 60)).padStart(2, '0');
  const mm = String(clock.minuteOfDay % 60).padStart(2, '0');
  return `${DAY_NAMES[clock.weekday]} ${hh}:${mm}`;
}
