/**
 * Seasonal baseline of one series (app, key): requests per minute for each local
 * hour of the week, with an hour-of-day profile as fallback for hours not seen yet,
 * and the series' own overdispersion (how far real hours stray from their baseline
 * beyond Poisson noise), learned from its prediction errors.
 */

export const HOURS_PER_WEEK = 168;
const HOURS_PER_DAY = 24;
/** Hourly rates are compared through this pseudo-count (one request per hour) so that near-zero rates stay comparable. */
const RATE_PSEUDO = 1 / 60;
/** One learning step moves a rate by at most this factor: one odd hour (a holiday, an outage) cannot rewrite the baseline. */
const MAX_STEP_FACTOR = 2;
/** Weight of the newest week once a slot has history: memory of about three weeks, so organic growth is followed. */
const SLOT_LEARNING_RATE = 0.35;
const PROFILE_LEARNING_RATE = 0.15;
/** Decay per hour of learned spread: a memory of about eight days. */
const DISPERSION_DECAY = 0.995;
/** Prior squared coefficient of variation of an hour's rate around its baseline, worth this many hours of evidence. */
const DISPERSION_PRIOR = 0.05;
const DISPERSION_PRIOR_HOURS = 72;
const DISPERSION_MIN = 0.02;
/** A window expecting this many requests per hour counts half as evidence of spread (Poisson noise drowns the rest). */
const SPREAD_FULL_WEIGHT_REQUESTS = 60;
/**
 * Huber bound: one window counts as at most this many times the current estimate of the
 * squared relative excess (three standard deviations), and never more than an excess of ×3.
 */
const SPREAD_HUBER_BOUND = 9;
const SPREAD_MAX_RELATIVE_EXCESS = 4;
const DISPERSION_MAX = 1;
/**
 * A slot's own estimate is pooled with the hour-of-day profile as if the profile were
 * worth this many requests: low-volume slots (a handful of requests an hour) lean on
 * the profile, busy ones keep their own shape.
 */
const PROFILE_PRIOR_REQUESTS = 5;
/** How fast the level follows clean hours running above the baseline (about six hours of memory). */
const LEVEL_LEARNING_RATE = 0.15;
const LEVEL_MAX = 2;
/** The least expected rate, relative to the series' mean and absolute (one request a day). */
const EXPECTED_FLOOR_OF_MEAN = 0.01;
const EXPECTED_FLOOR = 1 / 1440;
// How far (variance of the log rate) a key's hour-of-week slots really stray from the
// pooled profile × weekday level: assumed until learned (±20 %), and never taken below ±5 %.
const SLOT_SPREAD_PRIOR = 0.04;
const SLOT_SPREAD_MIN = 0.0025;

export interface Baseline {
  /** Requests per minute per local hour of week (index: weekday 0 = Sunday × 24 + hour). */
  slotRate: number[];
  /** Busiest quarter hour seen in that hour, requests per minute (batch jobs fill part of an hour). */
  slotPeak: number[];
  /** Weeks learned into each slot (capped). */
  slotWeeks: number[];
  /** Requests per minute per local hour of day, all days together: the fallback for unseen slots. */
  hourRate: number[];
  /** Busiest quarter hour per local hour of day, all days together. */
  hourPeak: number[];
  hourDays: number[];
  /** Requests per minute per local weekday (0 = Sunday) and hours learned into each. */
  weekdayRate: number[];
  weekdayHours: number[];
  /** Mean requests per minute over learned hours. */
  meanRate: number;
  learnedHours: number;
  /** Decayed sums of the overdispersion estimate: Σ((O−E)² − E) and Σ E² over hourly totals. */
  dispersionExcess: number;
  dispersionScale: number;
  dispersionHours: number;
  /**
   * log of how far recent clean hours ran above (or below) their slots. Only the upward
   * part scales expectations: growth is followed within hours, while a quiet day (a
   * holiday) never makes the next normal day look like a spike.
   */
  logLevel: number;
  /**
   * Variance of the log rate between the slots and the pooled estimate beyond their own
   * sampling noise, learned hourly from all slots (absent in state saved before it: the
   * prior until the next learned hour).
   */
  slotSpread?: number;
}

export function newBaseline(): Baseline {
  return {
    slotRate: new Array<number>(HOURS_PER_WEEK).fill(0),
    slotPeak: new Array<number>(HOURS_PER_WEEK).fill(0),
    slotWeeks: new Array<number>(HOURS_PER_WEEK).fill(0),
    hourRate: new Array<number>(HOURS_PER_DAY).fill(0),
    hourPeak: new Array<number>(HOURS_PER_DAY).fill(0),
    hourDays: new Array<number>(HOURS_PER_DAY).fill(0),
    weekdayRate: new Array<number>(7).fill(0),
    weekdayHours: new Array<number>(7).fill(0),
    meanRate: 0,
    learnedHours: 0,
    dispersionExcess: 0,
    dispersionScale: 0,
    dispersionHours: 0,
    logLevel: 0,
  };
}

/** What the baseline expects in one local hour of week. */
export interface Expectation {
  /** Requests per minute. */
  rate: number;
  /** Busiest quarter hour usually seen in this hour (0 when unknown). */
  peakRate: number;
  /** Weeks behind this hour's estimate (0 when it comes from the hour-of-day profile or the mean). */
  weeks: number;
  /** `rate` without the recent level: the seasonal expectation alone, which a few busy hours do not move. */
  seasonalRate: number;
}

export function expectation(b: Baseline, hourOfWeek: number): Expectation {
  const weeks = b.slotWeeks[hourOfWeek];
  const hourOfDay = hourOfWeek % HOURS_PER_DAY;
  const profile = b.hourDays[hourOfDay] > 0 ? b.hourRate[hourOfDay] : b.meanRate;
  let rate = profile;
  if (weeks > 0 && profile > 0) {
    const priorMinutes = PROFILE_PRIOR_REQUESTS / profile;
    const slotMinutes = 60 * weeks;
    rate = (b.slotRate[hourOfWeek] * slotMinutes + PROFILE_PRIOR_REQUESTS) / (slotMinutes + priorMinutes);
  } else if (weeks > 0) rate = b.slotRate[hourOfWeek];
  // The hour-of-day profile scaled by the weekday's level pools seven days of data: where it
  // expects more than the single slot (a slot learned from one unusually quiet day), trust it.
  // Where the slot expects more, it is believed as far as its own data outweighs how much
  // this key's slots truly differ from the pool (empirical Bayes): a slot raised by one busy
  // week leans on the pool; a key whose hours of the week really differ keeps its slots.
  const weekdayFactor = weekdayFactorOf(b, Math.floor(hourOfWeek / HOURS_PER_DAY));
  const pooled = b.hourRate[hourOfDay] * weekdayFactor;
  if (weeks > 0 && pooled > 0 && rate > pooled) {
    const between = b.slotSpread ?? SLOT_SPREAD_PRIOR;
    const weight = between / (between + slotSamplingVariance(overdispersion(b), rate, weeks));
    rate = Math.exp(weight * Math.log(rate) + (1 - weight) * Math.log(pooled));
  }
  rate = Math.max(rate, pooled);
  const level = Math.exp(clamp(b.logLevel, 0, Math.log(LEVEL_MAX)));
  const seasonalRate = Math.max(rate, b.meanRate * EXPECTED_FLOOR_OF_MEAN, EXPECTED_FLOOR);
  return {
    rate: seasonalRate * level,
    seasonalRate,
    peakRate: Math.max(weeks > 0 ? b.slotPeak[hourOfWeek] : 0, b.hourPeak[hourOfDay] * weekdayFactor) * level,
    weeks,
  };
}

/** How busy a weekday is relative to the average day, once every weekday has a day of history (0 before). */
function weekdayFactorOf(b: Baseline, weekday: number): number {
  // Plain loops: this runs for every key every minute.
  let sum = 0;
  for (let day = 0; day < 7; day++) {
    if (b.weekdayHours[day] < HOURS_PER_DAY) return 0;
    sum += b.weekdayRate[day];
  }
  const meanWeekday = sum / 7;
  return meanWeekday > 0 ? b.weekdayRate[weekday] / meanWeekday : 0;
}

/**
 * Squared coefficient of variation of an hour's true rate around the baseline's
 * prediction, learned from this series' own errors (prior-weighted while young).
 */
export function overdispersion(b: Baseline): number {
  const observed = b.dispersionScale > 0 ? clamp(b.dispersionExcess / b.dispersionScale, 0, DISPERSION_MAX) : DISPERSION_PRIOR;
  const blended = (observed * b.dispersionHours + DISPERSION_PRIOR * DISPERSION_PRIOR_HOURS) / (b.dispersionHours + DISPERSION_PRIOR_HOURS);
  return Math.max(blended, DISPERSION_MIN);
}

/** One closed local hour of a series, as learning needs it. */
export interface HourSummary {
  hourOfWeek: number;
  minutes: number;
  count: number;
  /** Requests the baseline expected over those minutes (before learning this hour). */
  expected: number;
  peakQuarterRate: number;
}

/** A closed window of a series (a quarter hour) next to its expectation, as spread learning needs it. */
export interface SpreadSample {
  hourOfWeek: number;
  minutes: number;
  count: number;
  expected: number;
}

/** Learns how far a window strayed from its expectation, with bounded influence (see SPREAD_HUBER_BOUND). */
export function learnSpread(b: Baseline, sample: SpreadSample): void {
  if (b.hourDays[sample.hourOfWeek % HOURS_PER_DAY] === 0 || sample.expected <= 0) return;
  const e = sample.expected;
  const hours = sample.minutes / 60;
  // Only windows above their expectation count (twice, standing for both tails): drops such
  // as holidays or outages must not loosen the detectors.
  const bound = Math.min(SPREAD_HUBER_BOUND * overdispersion(b), SPREAD_MAX_RELATIVE_EXCESS);
  const relativeExcess = sample.count > e ? Math.min(((sample.count - e) ** 2 - e) / (e * e), bound) : 0;
  // A window carrying a large share of the series' traffic (a nightly job's) is worth that many ordinary ones.
  const share = b.meanRate > 0 ? clamp(e / (sample.minutes * b.meanRate), 1, HOURS_PER_DAY) : 1;
  const weight = (hours * share * e) / (e + SPREAD_FULL_WEIGHT_REQUESTS * hours);
  const decay = DISPERSION_DECAY ** hours;
  b.dispersionExcess = b.dispersionExcess * decay + weight * 2 * relativeExcess * e * e;
  b.dispersionScale = b.dispersionScale * decay + weight * e * e;
  b.dispersionHours = b.dispersionHours * decay + weight;
}

/** Learns the level of one clean hour (callers skip hours when the series was suspicious). */
export function learnHour(b: Baseline, hour: HourSummary): void {
  const rate = hour.count / hour.minutes;
  const slot = hour.hourOfWeek;
  if (b.slotWeeks[slot] > 0) {
    const logRatio = Math.log((hour.count + 1) / (hour.expected / Math.exp(Math.max(b.logLevel, 0)) + 1));
    b.logLevel += LEVEL_LEARNING_RATE * (clamp(logRatio, -Math.log(LEVEL_MAX), Math.log(LEVEL_MAX)) - b.logLevel);
  }
  const weeks = b.slotWeeks[slot];
  b.slotRate[slot] = robustUpdate(b.slotRate[slot], rate, weeks, SLOT_LEARNING_RATE);
  b.slotPeak[slot] = robustUpdate(b.slotPeak[slot], hour.peakQuarterRate, weeks, SLOT_LEARNING_RATE);
  b.slotWeeks[slot] = Math.min(weeks + 1, 52);
  const hourOfDay = slot % HOURS_PER_DAY;
  b.hourRate[hourOfDay] = robustUpdate(b.hourRate[hourOfDay], rate, b.hourDays[hourOfDay], PROFILE_LEARNING_RATE);
  b.hourPeak[hourOfDay] = robustUpdate(b.hourPeak[hourOfDay], hour.peakQuarterRate, b.hourDays[hourOfDay], PROFILE_LEARNING_RATE);
  b.hourDays[hourOfDay] = Math.min(b.hourDays[hourOfDay] + 1, 365);
  const weekday = Math.floor(slot / HOURS_PER_DAY);
  b.weekdayHours[weekday] = Math.min(b.weekdayHours[weekday] + 1, 10_000);
  b.weekdayRate[weekday] += (rate - b.weekdayRate[weekday]) / Math.min(b.weekdayHours[weekday], 2 * HOURS_PER_DAY);
  b.learnedHours += 1;
  b.meanRate += (rate - b.meanRate) / Math.min(b.learnedHours, HOURS_PER_WEEK);
  b.slotSpread = slotSpreadOf(b);
}

/** Variance of a slot's log rate from its weeks of data alone: the key's overdispersion plus Poisson noise. */
function slotSamplingVariance(phi: number, rate: number, weeks: number): number {
  return phi / weeks + 1 / (60 * weeks * rate + 1);
}

/** How far the learned slots stray from the pooled estimate, less what their sampling noise explains. */
function slotSpreadOf(b: Baseline): number {
  const phi = overdispersion(b);
  let sum = 0;
  let slots = 0;
  for (let day = 0; day < 7; day++) {
    const weekdayFactor = weekdayFactorOf(b, day);
    for (let hourOfDay = 0; hourOfDay < HOURS_PER_DAY; hourOfDay++) {
      const slot = day * HOURS_PER_DAY + hourOfDay;
      const weeks = b.slotWeeks[slot];
      const pooled = b.hourRate[hourOfDay] * weekdayFactor;
      if (weeks === 0 || pooled <= 0) continue;
      const logRatio = Math.log((b.slotRate[slot] + RATE_PSEUDO) / (pooled + RATE_PSEUDO));
      sum += logRatio * logRatio - slotSamplingVariance(phi, b.slotRate[slot], weeks);
      slots += 1;
    }
  }
  return slots > 0 ? Math.max(sum / slots, SLOT_SPREAD_MIN) : SLOT_SPREAD_PRIOR;
}

/** Running mean while young, then an exponential average whose steps are bounded by MAX_STEP_FACTOR. */
function robustUpdate(current: number, observed: number, samples: number, floorRate: number): number {
  if (samples === 0) return observed;
  const low = (current + RATE_PSEUDO) / MAX_STEP_FACTOR - RATE_PSEUDO;
  const high = (current + RATE_PSEUDO) * MAX_STEP_FACTOR - RATE_PSEUDO;
  const bounded = clamp(observed, Math.max(low, 0), high);
  return current + Math.max(1 / (samples + 1), floorRate) * (bounded - current);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}
