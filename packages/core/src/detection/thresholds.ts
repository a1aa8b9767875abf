import type { DetectorSettings, Sensitivity } from './types';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** No alert of any kind before an app, or a key, has a week of history: every hour of the week must be seen once. */
export const WARM_UP_MS = 7 * DAY_MS;
/** Models and series unseen this long are forgotten (state stays bounded); a model unused this long is unusual again. */
export const MEMORY_MS = 30 * DAY_MS;
/** An incident resolves after this long without its detector firing. */
export const QUIET_MS = 60 * MINUTE_MS;
/** An open incident is re-reported (`updated`) at most this often, unless its severity rises. */
export const UPDATE_INTERVAL_MS = 15 * MINUTE_MS;
/** Learning stays frozen while a series is suspicious, but not longer than this: a lasting new level is accepted. */
export const MAX_FREEZE_MS = 24 * HOUR_MS;
/** Window of the recent-rate checks (floors) and of the fast path's evidence. */
export const RECENT_MINUTES = 15;
/** Window of the escalation check: short, so a jump shows within minutes. */
export const SHORT_MINUTES = 5;
/**
 * An open volume incident escalates (a new, high-severity spike incident) when its key's
 * traffic runs this many times above both the rate the incident has seen and the ratio
 * to the baseline it has seen…
 */
export const ESCALATION_FACTOR = 3;
/** …for this many consecutive minutes (and the baseline detectors still fire). */
export const ESCALATION_MINUTES = 5;

export const DEFAULT_DETECTOR_SETTINGS: Omit<DetectorSettings, 'timezone' | 'businessHours'> = {
  sensitivity: 'medium',
  spikeFloorPerMinute: 0.5,
  offHoursFloorPerMinute: 1,
  mutedKeyIds: [],
};

/** Thresholds that sensitivity moves. */
export interface SensitivityThresholds {
  /** Standard deviations of the learned hour-to-hour variation tolerated before excess counts as evidence. */
  spikeZ: number;
  /** The same outside business hours (off-hours activity is judged more strictly). */
  offHoursZ: number;
  /** CUSUM decision threshold (log-likelihood ratio). */
  cusumThreshold: number;
  /**
   * No single minute adds more than 1/sustainedMinutes of the CUSUM threshold: an alert
   * needs at least this many minutes of excess, so a burst of a few minutes never alerts.
   */
  sustainedMinutes: number;
  /** A five-minute burst alerts at once when it is this many times the baseline (and beats the series' own burst record)… */
  burstRatio: number;
  /** …and that many requests are this unlikely under the tolerated rate. */
  burstPValue: number;
  /** Standard deviations of its own learned multi-hour spread that the mean excess of the last closed hours must reach (hour-scale level detector). */
  levelZ: number;
}

export const SENSITIVITY_THRESHOLDS: Record<Sensitivity, SensitivityThresholds> = {
  low: { spikeZ: 4, offHoursZ: 3.5, cusumThreshold: 12, sustainedMinutes: 20, burstRatio: 12, burstPValue: 1e-12, levelZ: 4.5 },
  medium: { spikeZ: 3, offHoursZ: 3, cusumThreshold: 9, sustainedMinutes: 15, burstRatio: 8, burstPValue: 1e-9, levelZ: 4 },
  high: { spikeZ: 2.5, offHoursZ: 2, cusumThreshold: 7, sustainedMinutes: 10, burstRatio: 6, burstPValue: 1e-7, levelZ: 3.5 },
};

/**
 * A burst record fades by this much (log of the ratio) per day, ln 2 every two weeks: a ×8 record
 * is forgotten after about six weeks, so bursts that come every few weeks stay the key's known tail.
 */
export const BURST_RECORD_DECAY_PER_DAY = Math.log(2) / 14;
/** Burst ratios are taken with this pseudo-rate (requests per minute), so that a near-silent baseline does not make every request a record. */
export const BURST_PSEUDO_RATE = 0.2;

/**
 * Alarm episodes a series may have in about three weeks (the mean memory of a decayed count with
 * a half-life of two weeks, as long as the level detector's learned spread remembers) before its
 * CUSUM thresholds grow: by one threshold per episode beyond.
 */
export const ALARM_BUDGET = 1;
export const ALARM_LOAD_DECAY_PER_MINUTE = Math.exp(-Math.LN2 / (14 * 24 * 60));

/** A level episode keeps its series suspicious (and may alarm) only while the last closed hour is this many of its standard deviations above expectation. */
export const LEVEL_ONGOING_Z = 1;

/** The CUSUM looks for a sustained rate this many times the tolerated rate (small: the tolerance already carries the margin). */
export const CUSUM_SHIFT = 1.5;
