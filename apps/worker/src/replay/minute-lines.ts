import type { MinuteCount } from '@keywarden/core';

/**
 * Reading a count file fast. Replaying five weeks of an app means some 300,000 minute lines;
 * splitting them with node:readline and JSON.parse-ing each cost about as much CPU as the
 * detectors themselves. Here the text is split into lines directly and the lines written the
 * usual way are read with one regular expression (CanonicalMinuteReader). Every other line
 * takes the general path, so the replay accepts and yields exactly what it would from
 * readline and JSON.parse.
 */

/** One minute line: its minute's start (UTC ms) and the count of one key and model. */
export interface MinuteLine extends MinuteCount {
  minuteStartMs: number;
}

/** Where the lines of a count file go. */
export interface LineSink {
  /** A line as text (the general path): exactly the line node:readline would have given. */
  line(text: string): void;
  /** A minute line the reader took (counts as one line, like `line`). */
  row(row: MinuteLine): void;
  /** Reads minute lines once the app is known; null until then. */
  readonly reader: CanonicalMinuteReader | null;
}

/** A JSON string written as-is: no quote, backslash or control character (those need escapes). */
const PLAIN = '[^"\\\\\\u0000-\\u001f]';

/**
 * A minute line of this app as the evaluation and the worker write it: `{"ts":"…","app":"<app
 * id>","key":"…","model":"…"|null,"count":N}` exactly, no whitespace, strings without escapes
 * (what lies between the quotes is then the value), a count of at most 15 digits without a
 * leading zero (exact in a double, as JSON.parse reads it). Null for an app id that needs
 * escapes: no line of it is canonical.
 */
function canonicalMinuteLine(appId: string): RegExp | null {
  if (!new RegExp(`^${PLAIN}*$`).test(appId)) return null;
  const app = appId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\{"ts":"(${PLAIN}*)","app":"${app}","key":"(${PLAIN}+)","model":(?:null|"(${PLAIN}*)"),"count":(0|[1-9]\\d{0,14})\\}$`);
}
const MINUTE_MS = 60_000;
/** Distinct key and model names kept (beyond, a name is used as read: still correct, only slower). */
const MAX_NAMES = 10_000;

/**
 * Reads canonical minute lines (canonicalMinuteLine) with one regular expression instead of
 * JSON.parse, a third of its cost. Any other line is left to the general path (`read` returns
 * null), which reads it or says what is wrong with it, so both paths accept and yield the
 * same rows. Consecutive lines of one minute parse their timestamp once, and each key and
 * model name is the same string every time it recurs: the detectors look state up by these
 * names several times a minute, and a string seen before is found without hashing it again.
 */
export class CanonicalMinuteReader {
  private readonly names = new Map<string, string>();
  private readonly canonical: RegExp | null;
  private lastTs = '';
  private lastTsMs = NaN;

  constructor(appId: string) {
    this.canonical = canonicalMinuteLine(appId);
  }

  /** The minute line, or null if it is not canonical. */
  read(line: string): MinuteLine | null {
    const match = this.canonical?.exec(line) ?? null;
    if (match === null) return null;
    const ts = match[1];
    if (ts !== this.lastTs) {
      this.lastTs = ts;
      this.lastTsMs = Date.parse(ts);
    }
    const minuteStartMs = this.lastTsMs;
    if (!Number.isFinite(minuteStartMs) || minuteStartMs % MINUTE_MS !== 0) return null;
    const model = match[3];
    return { minuteStartMs, keyId: this.name(match[2]), model: model === undefined ? null : this.name(model), count: Number(match[4]) };
  }

  private name(text: string): string {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.names.size < MAX_NAMES) this.names.set(text, text);
    return text;
  }
}

/**
 * Feeds a count file, given as text in chunks (a file stream), to `sink` line by line. Lines
 * end where node:readline ends them (`\r\n`, `\n` or a lone `\r`), without readline's
 * per-line events; a minute line the sink's reader takes arrives as a row.
 */
export async function feedLines(chunks: AsyncIterable<string>, sink: LineSink): Promise<void> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      feedLine(text.slice(start, end), sink);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  // The text after the last line feed: lone carriage returns still end lines in it, but a
  // trailing one ends the last line rather than starting an empty one.
  const lines = rest.split('\r');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) sink.line(line);
}

/** One line that ended in a line feed (the feed excluded). */
function feedLine(text: string, sink: LineSink): void {
  const row = sink.reader?.read(text) ?? null;
  if (row !== null) sink.row(row);
  else if (text.indexOf('\r') < 0) sink.line(text);
  // `\r\n` ends one line; any other carriage return ends a line of its own.
  else for (const line of (text.endsWith('\r') ? text.slice(0, -1) : text).split('\r')) sink.line(line);
}
