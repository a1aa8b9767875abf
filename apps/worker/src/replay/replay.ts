import {
  DEFAULT_DETECTOR_SETTINGS,
  isValidTimeZone,
  newAppDetectionState,
  stepMinute,
  weekdayName,
  type BusinessHours,
  type DetectorSettings,
  type IncidentEvent,
  type MinuteCount,
  type Sensitivity,
} from '@keywarden/core';
import { CanonicalMinuteReader, feedLines, type LineSink, type MinuteLine } from './minute-lines';

/**
 * Replay: feeds a per-minute count file through the same detectors the worker runs and
 * reports each incident it opens or resolves, one JSON object per line.
 *
 * Input: JSON lines; the first describes the app
 * `{"app":{"id","timezone","businessHours":{"days":[1..5],"start":"08:00","end":"19:00"}}}`
 * (days 0 = Sunday), every other line one minute of one key and model, in time order:
 * `{"ts":"2026-01-05T00:00:00.000Z","app":"app_0","key":"key_a","model":"gpt-4o","count":12}`.
 */

const MINUTE_MS = 60_000;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class ReplayInputError extends Error {}

export interface ReplayApp {
  id: string;
  settings: DetectorSettings;
}

/** The alert line the replay prints. */
export interface ReplayAlert {
  type: 'spike' | 'unusual_model' | 'off_hours' | 'resolved';
  app: string;
  key: string;
  model: string | null;
  detectedAt: string;
  severity: IncidentEvent['severity'];
  evidence: IncidentEvent['evidence'];
  /** For `resolved`: the type of the incident it closes. */
  resolves?: IncidentEvent['type'];
}

function fail(lineNo: number, message: string): never {
  throw new ReplayInputError(`line ${lineNo}: ${message}`);
}

function parseJson(line: string, lineNo: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  return fail(lineNo, 'not a JSON object');
}

/** Reads the app line into detector settings (numeric days become core weekday names). */
export function parseAppLine(line: string, sensitivity: Sensitivity): ReplayApp {
  const app = parseJson(line, 1).app as Record<string, unknown> | undefined;
  if (!app || typeof app !== 'object') fail(1, 'the first line must be {"app": {...}}');
  if (typeof app.id !== 'string' || !app.id) fail(1, 'app.id must be a non-empty string');
  if (typeof app.timezone !== 'string' || !isValidTimeZone(app.timezone)) fail(1, 'app.timezone must be an IANA time zone');
  const hours = app.businessHours as Record<string, unknown> | undefined;
  if (!hours || typeof hours !== 'object') fail(1, 'app.businessHours must be an object');
  const { days, start, end } = hours;
  if (!Array.isArray(days) || !days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) fail(1, 'businessHours.days must be weekday numbers 0 (Sunday) to 6');
  if (typeof start !== 'string' || !HHMM.test(start) || typeof end !== 'string' || !HHMM.test(end)) fail(1, 'businessHours.start and end must be HH:MM');
  const businessHours: BusinessHours = { days: [...new Set(days as number[])].map(weekdayName), start, end };
  return { id: app.id, settings: { ...DEFAULT_DETECTOR_SETTINGS, sensitivity, timezone: app.timezone, businessHours } };
}

export function parseMinuteLine(line: string, lineNo: number, appId: string): MinuteLine {
  const row = parseJson(line, lineNo);
  const minuteStartMs = typeof row.ts === 'string' ? Date.parse(row.ts) : NaN;
  if (!Number.isFinite(minuteStartMs) || minuteStartMs % MINUTE_MS !== 0) fail(lineNo, 'ts must be the ISO 8601 start of a minute');
  if (row.app !== appId) fail(lineNo, `app must be ${JSON.stringify(appId)}`);
  if (typeof row.key !== 'string' || !row.key) fail(lineNo, 'key must be a non-empty string');
  if (row.model !== null && row.model !== undefined && typeof row.model !== 'string') fail(lineNo, 'model must be a string or null');
  if (!Number.isInteger(row.count) || (row.count as number) < 0) fail(lineNo, 'count must be a non-negative integer');
  return { minuteStartMs, keyId: row.key, model: (row.model as string | null | undefined) ?? null, count: row.count as number };
}

function toAlert(appId: string, e: IncidentEvent): ReplayAlert {
  const alert: ReplayAlert = {
    type: e.change === 'resolved' ? 'resolved' : e.type,
    app: appId,
    key: e.keyId,
    model: e.model,
    detectedAt: e.at,
    severity: e.severity,
    evidence: e.evidence,
  };
  if (e.change === 'resolved') alert.resolves = e.type;
  return alert;
}

const NO_COUNTS: readonly MinuteCount[] = [];

/**
 * Replays a count file line by line, as the lines come (`line` or, read from bytes, `row`;
 * then `end` once the input ends). Every minute from the first to the last is stepped in
 * order (empty ones too); a minute is closed once a later one appears or the input ends.
 * Emits opened and resolved incidents (updates stay internal).
 */
export class Replay implements LineSink {
  private readonly state = newAppDetectionState();
  private app: ReplayApp | null = null;
  private lineNo = 0;
  private currentMs: number | null = null;
  private pending: MinuteCount[] = [];
  reader: CanonicalMinuteReader | null = null;

  constructor(
    private readonly emit: (alert: ReplayAlert) => void,
    private readonly sensitivity: Sensitivity = 'medium',
  ) {}

  line(line: string): void {
    const lineNo = ++this.lineNo;
    if (!line.trim()) return;
    if (!this.app) {
      this.app = parseAppLine(line, this.sensitivity);
      this.reader = new CanonicalMinuteReader(this.app.id);
      return;
    }
    this.add(parseMinuteLine(line, lineNo, this.app.id), lineNo);
  }

  row(row: MinuteLine): void {
    this.add(row, ++this.lineNo);
  }

  end(): void {
    if (!this.app) throw new ReplayInputError('empty input: the first line must describe the app');
    if (this.currentMs !== null) this.step(this.currentMs, this.pending);
  }

  private add(row: MinuteLine, lineNo: number): void {
    const currentMs = this.currentMs;
    if (currentMs !== null && row.minuteStartMs < currentMs) fail(lineNo, 'minutes must be in time order');
    if (currentMs !== null && row.minuteStartMs > currentMs) {
      this.step(currentMs, this.pending);
      this.pending = [];
      for (let t = currentMs + MINUTE_MS; t < row.minuteStartMs; t += MINUTE_MS) this.step(t, NO_COUNTS);
    }
    this.currentMs = row.minuteStartMs;
    this.pending.push(row);
  }

  private step(minuteStartMs: number, counts: readonly MinuteCount[]): void {
    const app = this.app!;
    for (const event of stepMinute(this.state, app.settings, minuteStartMs, counts)) {
      if (event.change !== 'updated') this.emit(toAlert(app.id, event));
    }
  }
}

/** Replays a count file given as lines of text (see Replay). */
export async function replay(lines: AsyncIterable<string>, emit: (alert: ReplayAlert) => void, sensitivity: Sensitivity = 'medium'): Promise<void> {
  const run = new Replay(emit, sensitivity);
  for await (const line of lines) run.line(line);
  run.end();
}

/** Replays a count file given as text in chunks (a file stream), the fast way (see feedLines): the same alerts as `replay` on its lines. */
export async function replayText(chunks: AsyncIterable<string>, emit: (alert: ReplayAlert) => void, sensitivity: Sensitivity = 'medium'): Promise<void> {
  const run = new Replay(emit, sensitivity);
  await feedLines(chunks, run);
  run.end();
}
