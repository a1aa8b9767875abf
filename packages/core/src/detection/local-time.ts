import { WEEKDAYS, type BusinessHours, type Weekday } from '../wire/apps';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** UTC offsets change only on quarter-hour boundaries, so the offset is looked up per quarter hour… */
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
/**
 * …and at most once in this long (no zone changes its offset twice within six hours), so a
 * lookup at both ends of a span that agree covers every quarter hour in between. Detection
 * steps each app minute by minute: one span answers 24 consecutive quarter hours.
 */
const SPAN_MS = 6 * 60 * MINUTE_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The quarter hours [fromMs, untilMs) of a zone that share one offset (the last span looked up, per zone). */
interface OffsetSpan {
  fromMs: number;
  untilMs: number;
  offsetMs: number;
}
const spans = new Map<string, OffsetSpan>();

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

/** Offset at the start of a quarter hour, from the zone's calendar (Intl: slow, a few µs). */
function quarterOffsetMs(timeZone: string, quarterMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(quarterMs))) parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - quarterMs;
}

/**
 * The span of quarter hours from `quarterMs` on that share its offset: up to SPAN_MS when the
 * offset at its end agrees, else up to the quarter hour where the offset changes (bisected).
 */
function spanFrom(timeZone: string, quarterMs: number): OffsetSpan {
  const offsetMs = quarterOffsetMs(timeZone, quarterMs);
  let untilMs = quarterMs + SPAN_MS;
  if (quarterOffsetMs(timeZone, untilMs) !== offsetMs) {
    // The first quarter hour with another offset lies in (quarterMs, untilMs].
    let same = quarterMs;
    while (untilMs - same > QUARTER_HOUR_MS) {
      const mid = same + Math.floor((untilMs - same) / QUARTER_HOUR_MS / 2) * QUARTER_HOUR_MS;
      if (quarterOffsetMs(timeZone, mid) === offsetMs) same = mid;
      else untilMs = mid;
    }
  }
  return { fromMs: quarterMs, untilMs, offsetMs };
}

/** Offset of `timeZone` from UTC at `utcMs`, in ms (Berlin in winter: +3,600,000). */
export function utcOffsetMs(timeZone: string, utcMs: number): number {
  let span = spans.get(timeZone);
  if (span === undefined || utcMs < span.fromMs || utcMs >= span.untilMs) {
    span = spanFrom(timeZone, Math.floor(utcMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
    spans.set(timeZone, span);
  }
  return span.offsetMs;
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
  const localMs = utcMs + utcOffsetMs(timeZone, utcMs);
  const day = Math.floor(localMs / DAY_MS);
  // Day 0 of the epoch (1970-01-01) was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  const minuteOfDay = Math.floor((localMs - day * DAY_MS) / MINUTE_MS);
  return { weekday, minuteOfDay, hourOfWeek: weekday * 24 + Math.floor(minuteOfDay / 60) };
}

/** Core weekday name of a JavaScript weekday number (0 = Sunday). */
export function weekdayName(jsWeekday: number): Weekday {
  return WEEKDAYS[(jsWeekday + 6) % 7];
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Start and end of business hours in minutes of the day, parsed once per settings object (detection asks every minute). */
interface HoursBounds {
  startText: string;
  endText: string;
  start: number;
  end: number;
}
const parsedBounds = new WeakMap<BusinessHours, HoursBounds>();

function boundsOf(hours: BusinessHours): HoursBounds {
  let bounds = parsedBounds.get(hours);
  if (bounds === undefined || bounds.startText !== hours.start || bounds.endText !== hours.end) {
    bounds = { startText: hours.start, endText: hours.end, start: minutesOf(hours.start), end: minutesOf(hours.end) };
    parsedBounds.set(hours, bounds);
  }
  return bounds;
}

/**
 * Whether a local clock falls inside business hours (`end` exclusive). When `end` is not
 * after `start` the hours run overnight and belong to the day they start on.
 */
export function isBusinessTime(hours: BusinessHours, clock: LocalClock): boolean {
  const { start, end } = boundsOf(hours);
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
