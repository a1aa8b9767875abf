import { HOURS_PER_WEEK, expectation, learnHour, learnSpread, newBaseline, overdispersion, type Baseline } from './baseline';
import {
  CUSUM_MAX_STEP_SHARE,
  CUSUM_SHIFT,
  MAX_FREEZE_MS,
  RECENT_MINUTES,
  SHORT_MINUTES,
  type SensitivityThresholds,
} from './thresholds';
import type { AlertEvidence } from './types';

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
  peakQuarterRate: number;
  /** The series was suspicious during this hour: its level is not learned. */
  tainted: boolean;
  /** A detector fired during this hour: not even its spread is learned. */
  alarmed: boolean;
}

/** The excess a CUSUM has accumulated since it last stood at zero. */
interface CusumRun {
  score: number;
  minutes: number;
  observed: number;
  expected: number;
}

export interface VolumeState {
  baseline: Baseline;
  hour: HourAccumulator | null;
  spike: CusumRun;
  offHours: CusumRun;
  /** Counts of the last RECENT_MINUTES minutes (ring). */
  recent: number[];
  recentIndex: number;
  suspiciousSinceMs: number | null;
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
  };
}

function newRun(): CusumRun {
  return { score: 0, minutes: 0, observed: 0, expected: 0 };
}

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
  const expected = expectation(s.baseline, m.hourOfWeek);
  accumulateHour(s, m, expected.rate);
  s.recent[s.recentIndex] = m.count;
  s.recentIndex = (s.recentIndex + 1) % RECENT_MINUTES;
  const recentRate = recentMean(s, RECENT_MINUTES);
  const short = recentMean(s, SHORT_MINUTES);
  const rates = { current: m.count, short, earlier: (recentRate * RECENT_MINUTES - short * SHORT_MINUTES) / (RECENT_MINUTES - SHORT_MINUTES), expected: expected.rate };
  if (!m.armed) return { alarm: null, suspicious: false, rates };

  // Hour-level variation beyond Poisson (learned), widened while the slot has few weeks behind it.
  const sigma = Math.sqrt(overdispersion(s.baseline) * (1 + 1 / Math.max(expected.weeks, 0.5)));
  // Traffic ramps across hour boundaries (an office filling up before opening time): in an
  // hour's first and last quarter the neighbouring hour's level is tolerated as well.
  const minuteOfHour = m.minuteOfDay % 60;
  const neighbour =
    minuteOfHour < 15 ? (m.hourOfWeek + HOURS_PER_WEEK - 1) % HOURS_PER_WEEK : minuteOfHour >= 45 ? (m.hourOfWeek + 1) % HOURS_PER_WEEK : null;
  const neighbourRate = neighbour === null ? 0 : expectation(s.baseline, neighbour).rate;
  const tolerated = (z: number) => Math.max(expected.rate, expected.peakRate, neighbourRate) * Math.exp(z * sigma);
  const threshold = m.thresholds.cusumThreshold;
  const spikeTolerated = tolerated(m.thresholds.spikeZ);
  const offHoursTolerated = tolerated(m.thresholds.offHoursZ);
  stepCusum(s.spike, m.count, expected.rate, spikeTolerated, threshold);
  if (m.businessTime) s.offHours = newRun();
  else stepCusum(s.offHours, m.count, expected.rate, offHoursTolerated, threshold);

  const context = { baselineHours: s.baseline.learnedHours, baselineWeeks: expected.weeks, toleratedPerMinute: round(spikeTolerated) };
  let alarm: VolumeAlarm | null = null;
  const fastPathRate = Math.max(spikeTolerated, m.spikeFloorPerMinute);
  if (m.count >= m.thresholds.fastPathRatio * fastPathRate && poissonTailBound(m.count, fastPathRate) <= m.thresholds.fastPathPValue) {
    alarm = { type: 'spike', evidence: { observed: m.count, expected: round(expected.rate), window: '1m', ...context, detector: 'extreme-minute' } };
  } else if (s.spike.score >= threshold && recentRate >= m.spikeFloorPerMinute) {
    alarm = { type: 'spike', evidence: runEvidence(s.spike, context, 'cusum') };
  } else if (!m.businessTime && s.offHours.score >= threshold && recentRate >= m.offHoursFloorPerMinute) {
    alarm = { type: 'off_hours', evidence: runEvidence(s.offHours, context, 'off-hours-cusum') };
  }

  const suspicious =
    alarm !== null ||
    s.spike.score >= threshold / 2 ||
    s.offHours.score >= threshold / 2 ||
    recentRate > (m.businessTime ? spikeTolerated : offHoursTolerated);
  if (!suspicious) s.suspiciousSinceMs = null;
  else {
    s.suspiciousSinceMs ??= m.minuteStartMs;
    if (s.hour && m.minuteStartMs - s.suspiciousSinceMs < MAX_FREEZE_MS) s.hour.tainted = true;
  }
  if (alarm && s.hour) s.hour.alarmed = true;
  return { alarm, suspicious, rates };
}

/** Mean count of the last `minutes` minutes (at most RECENT_MINUTES). */
function recentMean(s: VolumeState, minutes: number): number {
  let sum = 0;
  for (let i = 1; i <= minutes; i++) sum += s.recent[(s.recentIndex - i + RECENT_MINUTES) % RECENT_MINUTES];
  return sum / minutes;
}

/** Poisson CUSUM for a shift from the tolerated rate to CUSUM_SHIFT × it; each minute's step is capped. */
function stepCusum(run: CusumRun, count: number, expectedRate: number, toleratedRate: number, threshold: number): void {
  const step = count * Math.log(CUSUM_SHIFT) - (CUSUM_SHIFT - 1) * toleratedRate;
  const score = Math.min(run.score + Math.min(step, threshold * CUSUM_MAX_STEP_SHARE), 2 * threshold);
  if (score <= 0) {
    Object.assign(run, newRun());
    return;
  }
  if (run.score === 0) Object.assign(run, newRun());
  run.score = score;
  run.minutes += 1;
  run.observed += count;
  run.expected += expectedRate;
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

function accumulateHour(s: VolumeState, m: VolumeMinute, expectedRate: number): void {
  const quarterOfDay = Math.floor(m.minuteOfDay / 15);
  if (s.hour && s.hour.hourOfWeek !== m.hourOfWeek) {
    closeQuarter(s.hour);
    const h = s.hour;
    if (h.minutes >= 15) {
      const summary = { hourOfWeek: h.hourOfWeek, minutes: h.minutes, count: h.count, expected: h.expected, peakQuarterRate: h.peakQuarterRate };
      // Near misses (suspicious, never alarmed) are the noise's upper tail: leaving them out
      // of the spread would make the detectors believe traffic is steadier than it is.
      if (!h.alarmed) learnSpread(s.baseline, summary);
      if (!h.tainted) learnHour(s.baseline, summary);
    }
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
    peakQuarterRate: 0,
    tainted: false,
    alarmed: false,
  };
  const h = s.hour;
  if (h.quarterOfDay !== quarterOfDay) {
    closeQuarter(h);
    h.quarterOfDay = quarterOfDay;
  }
  h.minutes += 1;
  h.count += m.count;
  h.expected += expectedRate;
  h.quarterMinutes += 1;
  h.quarterCount += m.count;
}

/**
 * Chernoff bound on P(X ≥ count) for X ~ Poisson(rate): exp(−rate)·(e·rate/count)^count.
 * Keeps the fast path from firing on a few requests in a quiet minute.
 */
export function poissonTailBound(count: number, rate: number): number {
  if (count <= rate) return 1;
  return Math.exp(-rate + count - count * Math.log(count / rate));
}

/** The busiest quarter hour counts only beyond its own Poisson noise (two standard deviations). */
function closeQuarter(h: HourAccumulator): void {
  if (h.quarterMinutes >= 10) {
    const significant = Math.max(h.quarterCount - 2 * Math.sqrt(h.quarterCount), 0);
    h.peakQuarterRate = Math.max(h.peakQuarterRate, significant / h.quarterMinutes);
  }
  h.quarterCount = 0;
  h.quarterMinutes = 0;
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
