import type { BusinessHours } from '../wire/apps';

/**
 * Contract between the detectors (pure, in core) and their two drivers: the worker, which
 * steps them on closed minute buckets and persists their state, and the replay command.
 */

export const DETECTION_ALERT_TYPES = ['spike', 'unusual_model', 'off_hours'] as const;
export type DetectionAlertType = (typeof DETECTION_ALERT_TYPES)[number];

export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** Per-app detector settings (admins change them through the API). */
export interface DetectorSettings {
  /** IANA zone of the app: hour-of-week baselines and business hours are local to it. */
  timezone: string;
  businessHours: BusinessHours;
  sensitivity: Sensitivity;
  /** Minimum requests per minute before a spike alert can fire. */
  spikeFloorPerMinute: number;
  /** Minimum requests per minute outside business hours before an off-hours alert can fire. */
  offHoursFloorPerMinute: number;
  /** Keys whose alerts are suppressed (they are still learned). */
  mutedKeyIds: string[];
}

/** One closed minute of one key and model. `model` is null when requests named none. */
export interface MinuteCount {
  keyId: string;
  model: string | null;
  count: number;
}

/** What a human needs to judge an alert in seconds. */
export interface AlertEvidence {
  observed: number;
  expected: number;
  /** The window the numbers cover, e.g. `1m`, `15m`. */
  window: string;
  /** Hours of history the baseline was learned from. */
  baselineHours: number;
  [detail: string]: unknown;
}

export type IncidentChange = 'opened' | 'updated' | 'resolved';

/**
 * A change to an incident: one open incident per fingerprint (type + key + model);
 * repeats are `updated` (no new webhook), `resolved` follows a quiet period.
 */
export interface IncidentEvent {
  change: IncidentChange;
  type: DetectionAlertType;
  fingerprint: string;
  keyId: string;
  model: string | null;
  /** End of the minute bucket that caused the change (ISO 8601), never the wall clock. */
  at: string;
  severity: 'low' | 'medium' | 'high';
  evidence: AlertEvidence;
}
