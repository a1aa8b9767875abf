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

interface MinuteLine extends MinuteCount {
  minuteStartMs: number;
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

/**
 * Replays a count file given as lines. Every minute from the first to the last is
 * stepped in order (empty ones too); a minute is closed once a later one appears or
 * the input ends. Emits opened and resolved incidents (updates stay internal).
 */
export async function replay(lines: AsyncIterable<string>, emit: (alert: ReplayAlert) => void, sensitivity: Sensitivity = 'medium'): Promise<void> {
  const state = newAppDetectionState();
  let app: ReplayApp | null = null;
  let lineNo = 0;
  let currentMs: number | null = null;
  let pending: MinuteCount[] = [];
  const step = (minuteStartMs: number, counts: MinuteCount[]) => {
    for (const event of stepMinute(state, app!.settings, minuteStartMs, counts)) {
      if (event.change !== 'updated') emit(toAlert(app!.id, event));
    }
  };
  for await (const line of lines) {
    lineNo += 1;
    if (!line.trim()) continue;
    if (!app) {
      app = parseAppLine(line, sensitivity);
      continue;
    }
    const row = parseMinuteLine(line, lineNo, app.id);
    if (currentMs !== null && row.minuteStartMs < currentMs) fail(lineNo, 'minutes must be in time order');
    if (currentMs !== null && row.minuteStartMs > currentMs) {
      step(currentMs, pending);
      pending = [];
      for (let t = currentMs + MINUTE_MS; t < row.minuteStartMs; t += MINUTE_MS) step(t, []);
    }
    currentMs = row.minuteStartMs;
    pending.push({ keyId: row.keyId, model: row.model, count: row.count });
  }
  if (!app) throw new ReplayInputError('empty input: the first line must describe the app');
  if (currentMs !== null) step(currentMs, pending);
}
