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
  /** A single minute this many times the tolerated rate alerts at once… */
  fastPathRatio: number;
  /** …when that many requests are also this unlikely under the tolerated rate. */
  fastPathPValue: number;
}

export const SENSITIVITY_THRESHOLDS: Record<Sensitivity, SensitivityThresholds> = {
  low: { spikeZ: 4, offHoursZ: 3.5, cusumThreshold: 12, fastPathRatio: 12, fastPathPValue: 1e-12 },
  medium: { spikeZ: 3, offHoursZ: 3, cusumThreshold: 9, fastPathRatio: 8, fastPathPValue: 1e-9 },
  high: { spikeZ: 2.5, offHoursZ: 2, cusumThreshold: 7, fastPathRatio: 6, fastPathPValue: 1e-7 },
};

/** The CUSUM looks for a sustained rate this many times the tolerated rate (small: the tolerance already carries the margin). */
export const CUSUM_SHIFT = 1.5;
/** No single minute adds more than this share of the threshold: the CUSUM is for sustained excess (≥ 4 minutes). */
export const CUSUM_MAX_STEP_SHARE = 1 / 4;
