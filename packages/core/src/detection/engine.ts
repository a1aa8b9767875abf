import { escalates, levelAtOpening } from './escalation';
import { fingerprintOf, fire, keepOpen, resolveQuiet, severityOf, type IncidentBook } from './incidents';
import { describeClock, isBusinessTime, localClock } from './local-time';
import { HOUR_MS, MEMORY_MS, MINUTE_MS, SENSITIVITY_THRESHOLDS, SHORT_MINUTES, WARM_UP_MS } from './thresholds';
import type { AlertEvidence, DetectorSettings, IncidentEvent, MinuteCount } from './types';
import { newVolumeState, round, stepVolume, upgradeVolumeState, type VolumeMinute, type VolumeState } from './volume';

export { DEFAULT_DETECTOR_SETTINGS } from './thresholds';

/** What the detectors remember about one key of the app. */
export interface SeriesState {
  firstSeenMs: number;
  lastActiveMs: number;
  /** Model → last minute (start) this key used it. */
  models: Record<string, number>;
  volume: VolumeState;
}

/**
 * Everything the detectors remember about one app: plain JSON, so the worker can
 * persist it between minutes (`JSON.parse(JSON.stringify(state))` behaves identically).
 */
export interface AppDetectionState {
  version: typeof STATE_VERSION;
  firstMinuteMs: number | null;
  lastMinuteMs: number | null;
  /** Model → last minute (start) any key of the app used it. */
  models: Record<string, number>;
  series: Record<string, SeriesState>;
  incidents: IncidentBook;
}

/**
 * Version 2 added the burst record, the alarm load and quarter-hour spread learning to each
 * series; version 3 the hour-scale level detector (its closed hours and learned multi-hour spread).
 */
const STATE_VERSION = 3;

export function newAppDetectionState(): AppDetectionState {
  return { version: STATE_VERSION, firstMinuteMs: null, lastMinuteMs: null, models: {}, series: {}, incidents: {} };
}

/**
 * State as a driver saved it, possibly by an earlier version: version 1 and 2 state is
 * migrated in place (its learned baselines, models and open incidents are kept; the fields
 * later versions added start empty, as for a series that never burst or alarmed and whose
 * level detector has seen no closed hour yet).
 */
export function restoreAppDetectionState(saved: AppDetectionState | { version: 1 | 2 }): AppDetectionState {
  const state = saved as AppDetectionState;
  if (state.version === STATE_VERSION) return state;
  for (const series of Object.values(state.series)) upgradeVolumeState(series.volume);
  state.version = STATE_VERSION;
  return state;
}

/**
 * Steps ONE closed minute (minuteStartMs = start of the minute, UTC ms) of one app.
 * `counts` are that minute's rows (absent series = 0). Mutates `state`; returns the
 * incident changes. A minute at or before the last one stepped changes nothing, so a
 * driver that retries a minute after a crash does not count it twice.
 */
export function stepMinute(state: AppDetectionState, settings: DetectorSettings, minuteStartMs: number, counts: readonly MinuteCount[]): IncidentEvent[] {
  if (state.lastMinuteMs !== null && minuteStartMs <= state.lastMinuteMs) return [];
  state.firstMinuteMs ??= minuteStartMs;
  state.lastMinuteMs = minuteStartMs;
  const endMs = minuteStartMs + MINUTE_MS;
  const clock = localClock(settings.timezone, minuteStartMs);
  const appWarm = minuteStartMs - state.firstMinuteMs >= WARM_UP_MS;
  const muted = settings.mutedKeyIds;
  const events: IncidentEvent[] = [];

  // Keyed by the series object, not its key string: identity lookups are cheaper than hashing key strings.
  const totals = new Map<SeriesState, number>();
  for (const { keyId, model, count } of counts) {
    if (count <= 0) continue;
    const series = (state.series[keyId] ??= newSeries(minuteStartMs));
    totals.set(series, (totals.get(series) ?? 0) + count);
    series.lastActiveMs = minuteStartMs;
    if (model !== null) {
      const novelty = checkModel(state, series, keyId, model, count, minuteStartMs, appWarm && !muted.includes(keyId));
      if (novelty) {
        const event = fire(state.incidents, novelty, endMs);
        if (event) events.push(event);
      }
    }
  }

  const businessTime = isBusinessTime(settings.businessHours, clock);
  const thresholds = SENSITIVITY_THRESHOLDS[settings.sensitivity];
  // One minute context for every series; only its count and armed change from key to key.
  const minute: VolumeMinute = {
    minuteStartMs,
    hourOfWeek: clock.hourOfWeek,
    minuteOfDay: clock.minuteOfDay,
    businessTime,
    count: 0,
    armed: false,
    thresholds,
    spikeFloorPerMinute: settings.spikeFloorPerMinute,
    offHoursFloorPerMinute: settings.offHoursFloorPerMinute,
  };
  for (const keyId in state.series) {
    const series = state.series[keyId];
    minute.count = totals.get(series) ?? 0;
    minute.armed = appWarm && minuteStartMs - series.firstSeenMs >= WARM_UP_MS;
    const { alarm, suspicious, rates } = stepVolume(series.volume, minute);
    const openFingerprints = openVolumeFingerprints(state.incidents, keyId);
    if (suspicious) for (const fingerprint of openFingerprints) keepOpen(state.incidents, fingerprint, endMs);
    const latest = openFingerprints.at(-1);
    // An incident from state saved before levels were kept starts from the traffic it sees now.
    const latestLevel = latest === undefined ? undefined : (state.incidents[latest].level ??= levelAtOpening(rates, 0));
    const escalated = latestLevel !== undefined && escalates(latestLevel, rates, alarm !== null, settings.spikeFloorPerMinute);
    if (!alarm || muted.includes(keyId)) continue;
    const context = { localTime: describeClock(clock), businessHours: businessTime };
    if (escalated && latest !== undefined) {
      const previous = state.incidents[latest];
      const evidence = {
        observed: Math.round(rates.short * SHORT_MINUTES),
        expected: round(rates.expected * SHORT_MINUTES),
        window: `${SHORT_MINUTES}m`,
        baselineHours: alarm.evidence.baselineHours,
        detector: 'escalation',
        escalates: latest,
        escalatesType: previous.type,
        previousPerMinute: round(latestLevel.rate),
        ...context,
      };
      const fingerprint = freeFingerprint(state.incidents, fingerprintOf('spike', keyId, null));
      const event = fire(state.incidents, { type: 'spike', keyId, model: null, severity: 'high', evidence }, endMs, fingerprint);
      state.incidents[fingerprint].level = levelAtOpening(rates, rates.short);
      if (event) events.push(event);
      continue;
    }
    const evidence = { ...alarm.evidence, ...context };
    const firing = { type: alarm.type, keyId, model: null, severity: severityOf(evidence.observed, evidence.expected), evidence };
    // One volume incident per anomaly: a spike that is also off-hours updates the incident already open.
    const fingerprint = latest ?? fingerprintOf(alarm.type, keyId, null);
    const event = fire(state.incidents, firing, endMs, fingerprint);
    state.incidents[fingerprint].level ??= levelAtOpening(rates, firedRate(alarm.evidence));
    if (event) events.push(event);
  }

  for (const event of resolveQuiet(state.incidents, endMs)) events.push(event);
  if (minuteStartMs % HOUR_MS === 0) forgetStale(state, minuteStartMs);
  return events;
}

/** An admin resolved this incident: forget it so a recurrence opens a new one. */
export function closeIncident(state: AppDetectionState, fingerprint: string): void {
  const incident = state.incidents[fingerprint];
  if (!incident) return;
  delete state.incidents[fingerprint];
  const series = state.series[incident.keyId];
  if (series && incident.type !== 'unusual_model') {
    series.volume.spike.score = 0;
    series.volume.offHours.score = 0;
  }
}

function newSeries(minuteStartMs: number): SeriesState {
  return { firstSeenMs: minuteStartMs, lastActiveMs: minuteStartMs, models: {}, volume: newVolumeState() };
}

const NONE: readonly string[] = [];

/** The key's open volume incidents, oldest first (more than one only after an escalation). */
function openVolumeFingerprints(book: IncidentBook, keyId: string): readonly string[] {
  // Asked for every key every minute, and almost always there is none: no array until one is found.
  let found: string[] | null = null;
  for (const fp in book) if (book[fp].keyId === keyId && book[fp].type !== 'unusual_model') (found ??= []).push(fp);
  return found === null ? NONE : found.length > 1 ? found.sort((a, b) => book[a].openedMs - book[b].openedMs) : found;
}

/** `fingerprint` if no incident holds it, else `fingerprint:2`, `:3`…: an escalation of a spike is an incident of its own. */
function freeFingerprint(book: IncidentBook, fingerprint: string): string {
  if (!book[fingerprint]) return fingerprint;
  let n = 2;
  while (book[`${fingerprint}:${n}`]) n++;
  return `${fingerprint}:${n}`;
}

/** Requests per minute behind a volume alarm (its window is `<minutes>m`). */
function firedRate(evidence: AlertEvidence): number {
  return evidence.observed / Math.max(Number.parseInt(evidence.window, 10) || 1, 1);
}

/**
 * Novelty of a model: new to the app (unused by every key for 30 days) alerts once the
 * app is warm; new to an established key only (the app already uses it) alerts at low
 * severity once that key has a week of history. Both are remembered either way.
 */
function checkModel(state: AppDetectionState, series: SeriesState, keyId: string, model: string, count: number, minuteStartMs: number, armed: boolean) {
  const appLastSeen = state.models[model];
  const keyLastSeen = series.models[model];
  const newToApp = appLastSeen === undefined || minuteStartMs - appLastSeen >= MEMORY_MS;
  const newToKey = keyLastSeen === undefined || minuteStartMs - keyLastSeen >= MEMORY_MS;
  state.models[model] = minuteStartMs;
  series.models[model] = minuteStartMs;
  const keyEstablished = minuteStartMs - series.firstSeenMs >= WARM_UP_MS;
  if (!armed) return null;
  // While its incident is open every use updates it (keeping how novel the model was); otherwise only novelty fires.
  const open = isEmpty(state.incidents) ? undefined : state.incidents[fingerprintOf('unusual_model', keyId, model)];
  if (!open && !newToApp && !(newToKey && keyEstablished)) return null;
  const appWide = open ? open.evidence.scope === 'app' : newToApp;
  const evidence = {
    observed: count,
    expected: 0,
    window: '1m',
    baselineHours: Math.floor((minuteStartMs - Math.max(state.firstMinuteMs ?? minuteStartMs, minuteStartMs - MEMORY_MS)) / HOUR_MS),
    scope: appWide ? 'app' : 'key',
    modelsInUse: Object.keys(appWide ? state.models : series.models).length - 1,
  };
  return { type: 'unusual_model' as const, keyId, model, severity: appWide ? ('medium' as const) : ('low' as const), evidence };
}

function isEmpty(book: IncidentBook): boolean {
  for (const _ in book) return false;
  return true;
}

/** Forgets models and idle series unseen for 30 days, so state stays bounded. */
function forgetStale(state: AppDetectionState, nowMs: number): void {
  for (const [model, lastSeen] of Object.entries(state.models)) if (nowMs - lastSeen >= MEMORY_MS) delete state.models[model];
  for (const [keyId, series] of Object.entries(state.series)) {
    const hasIncident = Object.values(state.incidents).some((i) => i.keyId === keyId);
    if (nowMs - series.lastActiveMs >= MEMORY_MS && !hasIncident) {
      delete state.series[keyId];
      continue;
    }
    for (const [model, lastSeen] of Object.entries(series.models)) if (nowMs - lastSeen >= MEMORY_MS) delete series.models[model];
  }
}
