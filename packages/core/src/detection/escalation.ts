import { ESCALATION_FACTOR, ESCALATION_MINUTES } from './thresholds';
import type { RecentRates } from './volume';

/**
 * Escalation of an open volume incident. Repeats of an anomaly update its incident, but a
 * key whose traffic jumps far beyond what its open incident has seen (a leak that turns
 * into a flood, a second leak on top of the first) is a new fact an operator must hear
 * about: it opens a high-severity spike incident of its own. The jump must hold against
 * both the incident's own level (its rate and its ratio to the baseline, so a daily wave
 * under a steady leak does not count) and the baseline (its detectors still fire).
 */

/** What an open volume incident has seen of its key's traffic. */
export interface IncidentLevel {
  /** Highest requests per minute seen. */
  rate: number;
  /** Highest ratio of that traffic to the baseline's expectation. */
  ratio: number;
  /** Consecutive minutes the traffic has run an escalation above this level. */
  risingMinutes: number;
}

/** The level at which an incident opens: the rate its detector fired on, or the recent traffic (this minute included) if higher. */
export function levelAtOpening(rates: RecentRates, firedRate: number): IncidentLevel {
  const rate = Math.max(firedRate, rates.current, rates.short, rates.earlier);
  return { rate, ratio: rate / Math.max(rates.expected, 1e-9), risingMinutes: 0 };
}

/**
 * Steps an open incident's level by one minute; true when its key's traffic has escalated.
 * Minutes that are not part of a rise widen the level with the traffic before the last
 * few minutes (so the start of a rise is never absorbed into the level it is measured against).
 */
export function escalates(level: IncidentLevel, rates: RecentRates, baselineAlarm: boolean, floorPerMinute: number): boolean {
  // Every minute of the rise must clear the bar on its own: a burst of a minute or two is not an escalation.
  const ratio = rates.current / Math.max(rates.expected, 1e-9);
  const rising = baselineAlarm && rates.current >= ESCALATION_FACTOR * Math.max(level.rate, floorPerMinute) && ratio >= ESCALATION_FACTOR * level.ratio;
  if (!rising) {
    level.risingMinutes = 0;
    level.rate = Math.max(level.rate, rates.earlier);
    level.ratio = Math.max(level.ratio, rates.earlier / Math.max(rates.expected, 1e-9));
    return false;
  }
  level.risingMinutes += 1;
  return level.risingMinutes >= ESCALATION_MINUTES;
}
