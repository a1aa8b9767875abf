/**
 * Hour-scale level detector of one series: sustained excess over several closed hours,
 * judged against how far this series' own multi-hour means usually stray.
 *
 * The minute-level CUSUM tolerates the hour-to-hour spread, so a level that runs ×2–×3
 * for half a day at a few requests a minute hides inside it. Hours are not independent
 * evidence, though: the hours of one day share that day's deviation (a busy news day, a
 * launch week), so a test that adds hours up as if they were independent reads every busy
 * day as a shift. Here the variance of the mean log excess of the last n hours is learned
 * per series and per window length n directly from the series' own clean history: it
 * holds the hour-to-hour spread (shrinking with n) and the day-level deviation (which does
 * not), whatever their mix, beside the Poisson noise of the counts, which is added exactly.
 */

/** Window lengths (closed hours) whose mean excess is tested; the shortest is the least evidence that alerts. */
export const LEVEL_WINDOWS = [3, 6, 12] as const;
/** Closed hours remembered: the longest window. */
export const LEVEL_HISTORY_HOURS = 12;
/** Requests added to both sides of an hour's log ratio, so near-empty hours stay comparable. */
const LOG_PSEUDO_COUNT = 1;
/** Prior variance of an n-hour mean log excess: a day-level part (all n) plus an hour-level part (divided by n)… */
const PRIOR_DAY_VARIANCE = 0.04;
const PRIOR_HOUR_VARIANCE = 0.1;
/** …worth this many hours of evidence. */
const PRIOR_HOURS = 72;
/** Least variance of an n-hour mean log excess beyond Poisson noise (a calm series is judged by its own calm, within reason). */
const VARIANCE_MIN = 0.01;
/** Decay per clean hour of the learned variances: a memory of about three weeks (half-life two). */
const VARIANCE_DECAY = 0.998;
/** A learning sample counts as at most this many times the current variance (three standard deviations). */
const VARIANCE_HUBER_BOUND = 9;

/** One closed hour: what came, what the baseline expected, and whether no detector alarmed on the series in it. */
export interface LevelHour {
  observed: number;
  expected: number;
  clean: boolean;
}

export interface LevelState {
  /** The last closed hours, oldest first (at most LEVEL_HISTORY_HOURS). */
  hours: LevelHour[];
  /**
   * Per window length (LEVEL_WINDOWS, and one hour first): decayed sums of the squared
   * mean log excess beyond Poisson noise, upper side only (counted twice for both tails,
   * so quiet days such as holidays do not loosen the detector), over clean windows.
   */
  excess: number[];
  weight: number[];
  /** Per window length: decayed sum of its mean log excess (the baseline's bias on this series, e.g. lagging growth). */
  bias: number[];
}

export function newLevelState(): LevelState {
  return { hours: [], excess: new Array<number>(LEVEL_WINDOWS.length + 1).fill(0), weight: new Array<number>(LEVEL_WINDOWS.length + 1).fill(0), bias: new Array<number>(LEVEL_WINDOWS.length + 1).fill(0) };
}

/** The strongest window after the last closed hour: its standardised mean log excess (z) and what it saw. */
export interface LevelEvidence {
  z: number;
  /** The last closed hour alone, standardised the same way: whether the excess is still going on. */
  lastHourZ: number;
  hours: number;
  observed: number;
  expected: number;
}

/** Learned variance (beyond Poisson) of the mean log excess of `hours` closed hours, prior-weighted while young. */
export function levelVariance(s: LevelState, index: number): number {
  const hours = index === 0 ? 1 : LEVEL_WINDOWS[index - 1];
  const prior = PRIOR_DAY_VARIANCE + PRIOR_HOUR_VARIANCE / hours;
  const learned = s.weight[index] > 0 ? s.excess[index] / s.weight[index] : prior;
  return Math.max((learned * s.weight[index] + prior * PRIOR_HOURS) / (s.weight[index] + PRIOR_HOURS), VARIANCE_MIN);
}

/** Learned mean log excess of a window of this length (0 while unlearned, shrunk towards 0 while young). */
export function levelBias(s: LevelState, index: number): number {
  return s.bias[index] / (s.weight[index] + PRIOR_HOURS);
}

function logExcess(hour: LevelHour): number {
  return Math.log((hour.observed + LOG_PSEUDO_COUNT) / (hour.expected + LOG_PSEUDO_COUNT));
}

/** Variance of an hour's log ratio from Poisson noise alone (delta method). */
function poissonVariance(hour: LevelHour): number {
  return hour.expected / (hour.expected + LOG_PSEUDO_COUNT) ** 2;
}

/**
 * Mean log excess of the last `n` hours without the largest one (so one extreme hour, a
 * news burst, cannot carry a window: the excess must be sustained), and the Poisson part
 * of the variance of an n-hour mean.
 */
function windowOf(s: LevelState, n: number): { mean: number; trimmedMean: number; poisson: number; observed: number; expected: number; clean: boolean } {
  let sum = 0;
  let largest = -Infinity;
  let poisson = 0;
  let observed = 0;
  let expected = 0;
  let clean = true;
  for (const hour of s.hours.slice(-n)) {
    const excess = logExcess(hour);
    sum += excess;
    largest = Math.max(largest, excess);
    poisson += poissonVariance(hour);
    observed += hour.observed;
    expected += hour.expected;
    clean &&= hour.clean;
  }
  const trimmedMean = n > 1 ? (sum - largest) / (n - 1) : sum;
  return { mean: sum / n, trimmedMean, poisson: poisson / (n * n), observed, expected, clean };
}

/**
 * Records a closed hour, learns the window variances from windows made only of clean hours,
 * and returns the strongest clean window's evidence (null until the shortest window is full,
 * and while every window holds an hour in which an alarm fired).
 * Learning happens before the test, from the windows ending at the previous hour.
 */
export function closeLevelHour(s: LevelState, hour: LevelHour): LevelEvidence | null {
  s.hours.push(hour);
  if (s.hours.length > LEVEL_HISTORY_HOURS) s.hours.shift();
  const lengths = [1, ...LEVEL_WINDOWS];
  let best: LevelEvidence | null = null;
  let lastHourZ = 0;
  lengths.forEach((n, index) => {
    if (s.hours.length < n) return;
    const w = windowOf(s, n);
    const variance = levelVariance(s, index);
    const bias = levelBias(s, index);
    if (w.clean) {
      const deviation = w.mean - bias;
      const sample = Math.min(deviation * deviation - w.poisson, VARIANCE_HUBER_BOUND * variance);
      const bound = 3 * Math.sqrt(variance + w.poisson);
      s.bias[index] = s.bias[index] * VARIANCE_DECAY + bias + Math.max(-bound, Math.min(deviation, bound));
      s.excess[index] = s.excess[index] * VARIANCE_DECAY + sample;
      s.weight[index] = s.weight[index] * VARIANCE_DECAY + 1;
    }
    if (index === 0) {
      lastHourZ = (w.mean - bias) / Math.sqrt(variance + w.poisson);
      return;
    }
    // Hours an alarm already covered are no evidence of a new excess (a leak that ended must not alarm again from its window).
    if (!w.clean) return;
    const z = (w.trimmedMean - bias) / Math.sqrt(variance + w.poisson);
    if (!best || z > best.z) best = { z, lastHourZ, hours: n, observed: w.observed, expected: w.expected };
  });
  return best;
}
