const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const number = new Intl.NumberFormat();
const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 6 });

export function formatDateTime(iso: string | null | undefined, empty = '—'): string {
  return iso ? dateTime.format(new Date(iso)) : empty;
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

export function formatNumber(value: number): string {
  return number.format(value);
}

export function formatMoney(value: number): string {
  return money.format(value);
}

/**
 * Seconds around now that read as "just now". A time stamped by the server moments before
 * the page compared it with its own clock can lie slightly ahead of that clock (clock skew),
 * and rounding a fraction of a second gave "in 0 s" for something that already happened.
 */
const JUST_NOW_SECONDS = 5;

/** "3 min ago", "in 2 h", "just now": for last-used and deadlines. */
export function formatRelative(iso: string | null | undefined, now = Date.now(), empty = 'never'): string {
  if (!iso) return empty;
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs <= JUST_NOW_SECONDS) return 'just now';
  const [value, unit] =
    abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86_400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86_400), 'd'];
  return seconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** Lines of a textarea → a clean list (blank lines dropped). */
export function linesOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}
