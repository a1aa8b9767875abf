import { HOURS_PER_WEEK, expectation, learnHour, learnSpread, newBaseline, overdispersion, type Baseline, type Expectation } from './baseline';
import {
  CUSUM_SHIFT,
  MAX_FREEZE_MS,
  QUIET_MS,
  ALARM_BUDGET,
  ALARM_LOAD_DECAY_PER_MINUTE,
  BURST_PSEUDO_RATE,
  BURST_RECORD_DECAY_PER_DAY,
  LEVEL_ONGOING_Z,
  RECENT_MINUTES,
  SHORT_MINUTES,
  type SensitivityThresholds,
} from './thresholds';
import type { AlertEvidence } from './types';
import { closeLevelHour, newLevelState, type LevelEvidence, type LevelState } from './level';

/**
 * Volume detectors of one series (app, key): a CUSUM for sustained excess over the
 * tolerated rate, a fast path for extreme minutes, and an off-hours CUSUM with a
 * tighter tolerance. Learning is frozen while the series is suspicious.
 */

/** One local hour being accumulated for learning. */
interface HourAccumulator {
  hourOfWeek: number;
  minutes: number;
  count: number;
  expected: number;
  quarterOfDay: number;
  quarterCount: number;
  quarterMinutes: number;
  /** Requests the baseline expected over the quarter's minutes so far. */
  quarterExpected: number;
  /** The series was suspicious during this quarter: its spread is not learned (a leak must not teach tolerance of itself). */
  quarterTainted: boolean;
  peakQuarterRate: number;
  /** The series was suspicious during this hour: its level is not learned. */
  tainted: boolean;
  /** A detector alarmed on the series during this hour: its multi-hour spread is not learned from it (near misses are). */
  alerted: boolean;
  /** Requests the seasonal baseline alone expected (without the recent level): the level detector's reference. */
  seasonalExpected: number;
}

/** The excess a CUSUM has accumulated since it last stood at zero. */
interface CusumRun {
  score: number;
  minutes: number;
  observed: number;
  expected: number;
}

/**
 * What a series tolerates in the current hour (its expectation, the neighbouring hour's, the
 * learned spread and the tolerated rates derived from them). These change only when the
 * baseline learns, at the close of a quarter or an hour, yet were worked out for every key
 * every minute: they are kept per series between minutes, beside the state rather than in
 * it (the saved state stays as it was; a restored state simply works them out again). The
 * baseline learns only in accumulateHour, which reports it.
 */
interface Tolerance {
  /** Worked out from the baseline as it still is (no learning since), and for the hour below. */
  valid: boolean;
  /** The baseline learned in the minute being stepped (set by accumulateHour). */
  learned: boolean;
  hourOfWeek: number;
  neighbour: number | null;
  thresholds: SensitivityThresholds | null;
  expected: Expectation;
  spikeTolerated: number;
  offHoursTolerated: number;
}
const tolerances = new WeakMap<VolumeState, Tolerance>();
const NO_EXPECTATION: Expectation = { rate: 0, peakRate: 0, weeks: 0, seasonalRate: 0 };

export interface VolumeState {
  baseline: Baseline;
  hour: HourAccumulator | null;
  spike: CusumRun;
  offHours: CusumRun;
  /** Counts of the last RECENT_MINUTES minutes (ring). */
  recent: number[];
  recentIndex: number;
  suspiciousSinceMs: number | null;
  /**
   * The series' own burst record: log of the largest ratio of a five-minute window to the
   * baseline seen lately, fading by BURST_RECORD_DECAY_PER_DAY. A burst alerts only when it
   * beats this record (and the sensitivity's minimum ratio): a series whose news-driven
   * bursts come every few days learns that they are its normal tail.
   */
  burstRecord: number;
  /**
   * Alarm episodes of this series lately (a decayed count, half-life ALARM_LOAD_HALF_LIFE_MS),
   * and when it last alarmed. A series that alarms more often than ALARM_BUDGET needs more
   * sustained evidence before its CUSUMs alert (their threshold grows with the excess).
   */
  alarmLoad: number;
  lastAlarmMs: number | null;
  /** Hour-scale level detector (closed hours and their learned multi-hour spread). */
  level: LevelState;
  /**
   * Start of the current level episode (the strongest window at least half the alerting z),
   * null outside one. The level detector alarms once per episode, and keeps the series
   * suspicious only in an episode's first MAX_FREEZE_MS: after that a lasting new level is
   * accepted, as the other detectors accept it once learning resumes.
   */
  levelSinceMs: number | null;
  levelAlarmed: boolean;
  /**
   * The last closed hour was itself above its expectation by one of its standard deviations.
   * Only then does an episode keep the series suspicious, so once an excess stops its
   * incident resolves on time instead of waiting for it to leave a 12-hour window.
   */
  levelOngoing: boolean;
}

export function newVolumeState(): VolumeState {
  return {
    baseline: newBaseline(),
    hour: null,
    spike: newRun(),
    offHours: newRun(),
    recent: new Array<number>(RECENT_MINUTES).fill(0),
    recentIndex: 0,
    suspiciousSinceMs: null,
    burstRecord: 0,
    alarmLoad: 0,
    lastAlarmMs: null,
    level: newLevelState(),
    levelSinceMs: null,
    levelAlarmed: false,
    levelOngoing: false,
  };
}

/** Fills in what version 1 or 2 state lacked (see restoreAppDetectionState). */
export function upgradeVolumeState(s: VolumeState): void {
  s.burstRecord ??= 0;
  s.alarmLoad ??= 0;
  s.lastAlarmMs ??= null;
  s.level ??= newLevelState();
  s.levelSinceMs ??= null;
  s.levelAlarmed ??= false;
  s.levelOngoing ??= false;
  if (s.hour) {
    const hour = s.hour as HourAccumulator & { alarmed?: boolean };
    hour.quarterExpected ??= hour.quarterMinutes * (hour.minutes > 0 ? hour.expected / hour.minutes : 0);
    hour.quarterTainted ??= hour.tainted;
    hour.alerted ??= hour.tainted;
    hour.seasonalExpected ??= hour.expected;
    delete hour.alarmed;
  }
}

function newRun(): CusumRun {
  return { score: 0, minutes: 0, observed: 0, expected: 0 };
}

/** Back to a new run's values, in place (no allocation: runs step every minute). */
function resetRun(run: CusumRun): void {
  run.score = 0;
  run.minutes = 0;
  run.observed = 0;
  run.expected = 0;
}

const LOG_CUSUM_SHIFT = Math.log(CUSUM_SHIFT);

/** Context of one minute of one series. */
export interface VolumeMinute {
  minuteStartMs: number;
  hourOfWeek: number;
  minuteOfDay: number;
  businessTime: boolean;
  count: number;
  /** Alerting allowed (app and series warmed up); learning happens regardless. */
  armed: boolean;
  thresholds: SensitivityThresholds;
  spikeFloorPerMinute: number;
  offHoursFloorPerMinute: number;
}

export interface VolumeAlarm {
  type: 'spike' | 'off_hours';
  evidence: AlertEvidence;
}

/** What one minute says about a series: an alarm, and whether it is still suspicious (its incident stays open, learning stays frozen). */
export interface VolumeVerdict {
  alarm: VolumeAlarm | null;
  suspicious: boolean;
  rates: RecentRates;
}

/** The key's recent traffic next to what its baseline expects now (requests per minute). */
export interface RecentRates {
  /** This minute's count. */
  current: number;
  /** The last SHORT_MINUTES minutes, this one included. */
  short: number;
  /** The RECENT_MINUTES − SHORT_MINUTES minutes before those. */
  earlier: number;
  expected: number;
}

export function stepVolume(s: VolumeState, m: VolumeMinute): VolumeVerdict {
  let tolerance = tolerances.get(s);
  if (tolerance === undefined) {
    tolerance = { valid: false, learned: false, hourOfWeek: -1, neighbour: null, thresholds: null, expected: NO_EXPECTATION, spikeTolerated: 0, offHoursTolerated: 0 };
    tolerances.set(s, tolerance);
  }
  const reusable = tolerance.valid && tolerance.hourOfWeek === m.hourOfWeek;
  const expected = reusable ? tolerance.expected : expectation(s.baseline, m.hourOfWeek);
  const level = accumulateHour(s, m, expected.rate, expected.seasonalRate, tolerance);
  const learned = tolerance.learned;
  if (level) {
    s.levelSinceMs = level.z >= m.thresholds.levelZ / 2 ? (s.levelSinceMs ?? m.minuteStartMs) : null;
    if (s.levelSinceMs === null) s.levelAlarmed = false;
    s.levelOngoing = level.lastHourZ >= LEVEL_ONGOING_Z;
  }
  const levelEpisode = s.levelSinceMs !== null && m.minuteStartMs - s.levelSinceMs < MAX_FREEZE_MS;
  s.recent[s.recentIndex] = m.count;
  s.recentIndex = (s.recentIndex + 1) % RECENT_MINUTES;
  // Sums of the last RECENT_MINUTES and SHORT_MINUTES counts, newest first (no modulo per step: this runs for every key every minute).
  let recentSum = 0;
  let shortSum = 0;
  for (let i = 1, at = s.recentIndex; i <= RECENT_MINUTES; i++) {
    at = at === 0 ? RECENT_MINUTES - 1 : at - 1;
    recentSum += s.recent[at];
    if (i === SHORT_MINUTES) shortSum = recentSum;
  }
  const recentRate = recentSum / RECENT_MINUTES;
  const short = shortSum / SHORT_MINUTES;
  const rates = { current: m.count, short, earlier: (recentRate * RECENT_MINUTES - short * SHORT_MINUTES) / (RECENT_MINUTES - SHORT_MINUTES), expected: expected.rate };
  const burstBase = Math.max(expected.rate, expected.peakRate);
  const burstLogRatio = Math.log((short + BURST_PSEUDO_RATE) / (burstBase + BURST_PSEUDO_RATE));
  if (learned) tolerance.valid = false;
  if (!m.armed) return { alarm: null, suspicious: false, rates };
  // Learned only once the baseline is established: against a young baseline every hour looks like a record.
  const previousRecord = s.burstRecord;
  s.burstRecord = Math.max(s.burstRecord - BURST_RECORD_DECAY_PER_DAY / (24 * 60), burstLogRatio, 0);

  // Traffic ramps across hour boundaries (an office filling up before opening time): in an
  // hour's first and last quarter the neighbouring hour's level is tolerated as well.
  const minuteOfHour = m.minuteOfDay % 60;
  const neighbour =
    minuteOfHour < 15 ? (m.hourOfWeek + HOURS_PER_WEEK - 1) % HOURS_PER_WEEK : minuteOfHour >= 45 ? (m.hourOfWeek + 1) % HOURS_PER_WEEK : null;
  if (!(reusable && tolerance.valid && tolerance.neighbour === neighbour && tolerance.thresholds === m.thresholds)) {
    // Hour-level variation beyond Poisson (learned), widened while the slot has few weeks behind it.
    const sigma = Math.sqrt(overdispersion(s.baseline) * (1 + 1 / Math.max(expected.weeks, 0.5)));
    const neighbourRate = neighbour === null ? 0 : expectation(s.baseline, neighbour).rate;
    const toleratedBase = Math.max(expected.rate, expected.peakRate, neighbourRate);
    tolerance.spikeTolerated = toleratedBase * Math.exp(m.thresholds.spikeZ * sigma);
    tolerance.offHoursTolerated = toleratedBase * Math.exp(m.thresholds.offHoursZ * sigma);
    // Kept for the next minutes only when no learning came between the expectation and the spread read here.
    tolerance.valid = !learned;
    tolerance.hourOfWeek = m.hourOfWeek;
    tolerance.expected = expected;
    tolerance.neighbour = neighbour;
    tolerance.thresholds = m.thresholds;
  }
  const { spikeTolerated, offHoursTolerated } = tolerance;
  s.alarmLoad *= ALARM_LOAD_DECAY_PER_MINUTE;
  const threshold = m.thresholds.cusumThreshold * (1 + Math.max(0, s.alarmLoad - ALARM_BUDGET));
  const maxStep = m.thresholds.cusumThreshold / m.thresholds.sustainedMinutes;
  stepCusum(s.spike, m.count, expected.rate, spikeTolerated, threshold, maxStep);
  if (m.businessTime) resetRun(s.offHours);
  else stepCusum(s.offHours, m.count, expected.rate, offHoursTolerated, threshold, maxStep);

  // Evidence context, built only when an alarm needs it (this runs for every key every minute).
  const context = () => evidenceContext(s, expected, spikeTolerated);
  let alarm: VolumeAlarm | null = null;
  const burstRate = short * SHORT_MINUTES;
  const burstTolerated = spikeTolerated * SHORT_MINUTES;
  if (
    burstLogRatio > Math.max(previousRecord, Math.log(m.thresholds.burstRatio)) &&
    short >= m.spikeFloorPerMinute &&
    poissonTailBound(burstRate, burstTolerated) <= m.thresholds.burstPValue
  ) {
    alarm = { type: 'spike', evidence: { observed: burstRate, expected: round(expected.rate * SHORT_MINUTES), window: `${SHORT_MINUTES}m`, ...context(), detector: 'burst' } };
  } else if (s.spike.score >= threshold && recentRate >= m.spikeFloorPerMinute) {
    alarm = { type: 'spike', evidence: runEvidence(s.spike, context(), 'cusum') };
  } else if (!m.businessTime && s.offHours.score >= threshold && recentRate >= m.offHoursFloorPerMinute) {
    alarm = { type: 'off_hours', evidence: runEvidence(s.offHours, context(), 'off-hours-cusum') };
  } else if (level && levelEpisode && !s.levelAlarmed && s.levelOngoing && level.z >= m.thresholds.levelZ && level.observed >= level.hours * 60 * m.spikeFloorPerMinute) {
    alarm = {
      type: 'spike',
      evidence: { observed: level.observed, expected: round(level.expected), window: `${level.hours}h`, ...context(), score: round(level.z), detector: 'level' },
    };
    s.levelAlarmed = true;
  }

  const suspicious =
    alarm !== null ||
    s.spike.score >= threshold / 2 ||
    s.offHours.score >= threshold / 2 ||
    (levelEpisode && s.levelOngoing) ||
    recentRate > (m.businessTime ? spikeTolerated : offHoursTolerated);
  if (!suspicious) s.suspiciousSinceMs = null;
  else {
    s.suspiciousSinceMs ??= m.minuteStartMs;
    if (s.hour && m.minuteStartMs - s.suspiciousSinceMs < MAX_FREEZE_MS) {
      s.hour.tainted = true;
      s.hour.quarterTainted = true;
    }
  }
  if (alarm) {
    if (s.hour) s.hour.alerted = true;
    if (s.lastAlarmMs === null || m.minuteStartMs - s.lastAlarmMs > QUIET_MS) s.alarmLoad += 1;
    s.lastAlarmMs = m.minuteStartMs;
  }
  return { alarm, suspicious, rates };
}

/**
 * Chernoff bound on P(X ≥ count) for X ~ Poisson(rate): exp(−rate)·(e·rate/count)^count.
 * Keeps a burst of a few requests on a quiet key from counting as extreme.
 */
export function poissonTailBound(count: number, rate: number): number {
  if (count <= rate) return 1;
  return Math.exp(-rate + count - count * Math.log(count / rate));
}

/** Poisson CUSUM for a shift from the tolerated rate to CUSUM_SHIFT × it; each minute's step is capped. */
function stepCusum(run: CusumRun, count: number, expectedRate: number, toleratedRate: number, threshold: number, maxStep: number): void {
  const step = count * LOG_CUSUM_SHIFT - (CUSUM_SHIFT - 1) * toleratedRate;
  const score = Math.min(run.score + Math.min(step, maxStep), 2 * threshold);
  if (score <= 0) {
    resetRun(run);
    return;
  }
  if (run.score === 0) resetRun(run);
  run.score = score;
  run.minutes += 1;
  run.observed += count;
  run.expected += expectedRate;
}

function evidenceContext(s: VolumeState, expected: Expectation, spikeTolerated: number): { baselineHours: number; baselineWeeks: number; toleratedPerMinute: number } {
  return { baselineHours: s.baseline.learnedHours, baselineWeeks: expected.weeks, toleratedPerMinute: round(spikeTolerated) };
}

function runEvidence(run: CusumRun, context: Record<string, number>, detector: string): AlertEvidence {
  return {
    observed: run.observed,
    expected: round(run.expected),
    window: `${run.minutes}m`,
    baselineHours: context.baselineHours,
    ...context,
    score: round(run.score),
    detector,
  };
}

/**
 * Adds the minute to its local hour; when that closes a previous hour, returns the level
 * detector's verdict on it. Sets `tolerance.learned` when a quarter or an hour closed, so the
 * baseline may have learned (its expectations and spread may differ from before this minute).
 */
function accumulateHour(s: VolumeState, m: VolumeMinute, expectedRate: number, seasonalRate: number, tolerance: Tolerance): LevelEvidence | null {
  const quarterOfDay = Math.floor(m.minuteOfDay / 15);
  let level: LevelEvidence | null = null;
  let learned = false;
  if (s.hour && s.hour.hourOfWeek !== m.hourOfWeek) {
    learned = true;
    closeQuarter(s.baseline, s.hour);
    const h = s.hour;
    if (h.minutes >= 15 && !h.tainted) {
      learnHour(s.baseline, { hourOfWeek: h.hourOfWeek, minutes: h.minutes, count: h.count, expected: h.expected, peakQuarterRate: h.peakQuarterRate });
    }
    if (h.minutes >= 30) level = closeLevelHour(s.level, { observed: h.count, expected: h.seasonalExpected, clean: !h.alerted });
    s.hour = null;
  }
  s.hour ??= {
    hourOfWeek: m.hourOfWeek,
    minutes: 0,
    count: 0,
    expected: 0,
    quarterOfDay,
    quarterCount: 0,
    quarterMinutes: 0,
    quarterExpected: 0,
    quarterTainted: false,
    peakQuarterRate: 0,
    tainted: false,
    alerted: false,
    seasonalExpected: 0,
  };
  const h = s.hour;
  if (h.quarterOfDay !== quarterOfDay) {
    learned = true;
    closeQuarter(s.baseline, h);
    h.quarterOfDay = quarterOfDay;
  }
  h.minutes += 1;
  h.count += m.count;
  h.expected += expectedRate;
  h.quarterMinutes += 1;
  h.quarterCount += m.count;
  h.quarterExpected += expectedRate;
  h.seasonalExpected += seasonalRate;
  tolerance.learned = learned;
  return level;
}

/**
 * Closes a quarter hour: the busiest quarter counts only beyond its own Poisson noise (two
 * standard deviations), and its distance from the expectation teaches the spread. The
 * spread is learned at the scale the CUSUM alerts on (a quarter hour, not an hour), from
 * every quarter in which no detector fired: near misses are the noise's upper tail and
 * count (with bounded influence), alarms do not, so a leak cannot teach tolerance of itself.
 */
function closeQuarter(b: Baseline, h: HourAccumulator): void {
  if (h.quarterMinutes >= 10) {
    const significant = Math.max(h.quarterCount - 2 * Math.sqrt(h.quarterCount), 0);
    h.peakQuarterRate = Math.max(h.peakQuarterRate, significant / h.quarterMinutes);
    if (!h.quarterTainted) learnSpread(b, { hourOfWeek: h.hourOfWeek, minutes: h.quarterMinutes, count: h.quarterCount, expected: h.quarterExpected });
  }
  h.quarterCount = 0;
  h.quarterMinutes = 0;
  h.quarterExpected = 0;
  h.quarterTainted = false;
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
