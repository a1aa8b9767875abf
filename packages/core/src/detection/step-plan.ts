export const MINUTE_MS = 60_000;
/** How far back detection looks: unusual_model needs 30 days, the rest is margin. */
export const DETECTION_HISTORY_DAYS = 35;
const DAY_MS = 86_400_000;

/**
 * Start of the latest minute that is closed at `nowMs`: a minute counts as closed once it
 * ended at least `closeDelayMs` ago, so rollups written a little late still count.
 */
export function lastClosedMinuteStart(nowMs: number, closeDelayMs: number): number {
  return Math.floor((nowMs - closeDelayMs - MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
}

export interface StepPlanInput {
  /** Start of the last minute stepped; null when the app was never stepped. */
  watermarkMs: number | null;
  /** Start of the app's oldest stored minute (first sight only); null when it has none. */
  firstDataMs: number | null;
  lastClosedMs: number;
  /** Only the last this many minutes may alert. */
  alertWindowMinutes: number;
  /** At most this many minutes in one plan; the rest is for the next. */
  maxMinutes: number;
}

export interface StepPlan {
  /** First minute to step (inclusive). */
  fromMs: number;
  /** Last minute to step (inclusive). */
  toMs: number;
  /** More closed minutes remain after `toMs`. */
  more: boolean;
  /** Minutes before this one are learned from without alerting. */
  liveFromMs: number;
}

/**
 * Which minutes of an app to step now. Nothing older than the history horizon is ever
 * stepped (a long outage skips ahead rather than replaying months of empty minutes), and
 * only the last `alertWindowMinutes` may alert: older minutes, on first sight of an app
 * or after downtime, warm the detectors up instead of raising stale alerts. A plan covers
 * at most `maxMinutes`, so that catching up is a series of bounded steps.
 */
export function planSteps(input: StepPlanInput): StepPlan | null {
  const horizon = input.lastClosedMs - DETECTION_HISTORY_DAYS * DAY_MS;
  const next = input.watermarkMs !== null ? input.watermarkMs + MINUTE_MS : input.firstDataMs;
  if (next === null) return null;
  const fromMs = Math.max(next, horizon);
  if (fromMs > input.lastClosedMs) return null;
  const toMs = Math.min(input.lastClosedMs, fromMs + (input.maxMinutes - 1) * MINUTE_MS);
  return {
    fromMs,
    toMs,
    more: toMs < input.lastClosedMs,
    liveFromMs: input.lastClosedMs - (input.alertWindowMinutes - 1) * MINUTE_MS,
  };
}
