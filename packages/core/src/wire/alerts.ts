import type { PageQuery } from './common';

/** The detectors that raise alerts. */
export const DETECTION_ALERT_TYPES = ['spike', 'unusual_model', 'off_hours'] as const;
export type DetectionAlertType = (typeof DETECTION_ALERT_TYPES)[number];

export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

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

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * The detectors' three types, plus `leak` (a confirmed leak report) and `canary_used` (a
 * canary key was presented somewhere).
 */
export const ALERT_TYPES = [...DETECTION_ALERT_TYPES, 'leak', 'canary_used'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** `critical`: canary keys only (someone holds a key that was never handed out). */
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Why an alert was resolved: the detector saw a quiet period, or an admin closed it. */
export const ALERT_RESOLUTIONS = ['quiet_period', 'admin'] as const;
export type AlertResolution = (typeof ALERT_RESOLUTIONS)[number];

/**
 * One incident of one detector about one key (and model): repeated detections update it
 * (`occurrences`, `lastDetectedAt`, `evidence`); a recurrence after it was resolved is a
 * new alert. Also the `data` of `alert.*` webhook events. Never carries key material.
 */
export interface Alert {
  id: string;
  type: AlertType;
  status: AlertStatus;
  appId: string;
  keyId: string;
  /** The customer holding the key when the alert opened; null when none. */
  customerId: string | null;
  /** The model the alert is about (`unusual_model`); null when it concerns all of the key's traffic. */
  model: string | null;
  /** type + key + model: one open alert per fingerprint and app. */
  fingerprint: string;
  /** The highest severity seen during the incident. */
  severity: AlertSeverity;
  /**
   * Of the latest detection. Leak and canary alerts carry the same numbers (requests of the
   * last 24 h as `observed`, `expected` 0) plus their own details.
   */
  evidence: AlertEvidence;
  /** End of the minute that opened the incident. */
  detectedAt: string;
  lastDetectedAt: string;
  occurrences: number;
  acknowledgedAt: string | null;
  /** Id of the admin key that acknowledged it. */
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  /** Id of the admin key that resolved it; null when the detector did. */
  resolvedBy: string | null;
  resolution: AlertResolution | null;
}

export interface ListAlertsQuery extends PageQuery {
  appId?: string;
  keyId?: string;
  customerId?: string;
  type?: AlertType;
  status?: AlertStatus;
  /** Alerts first detected at or after this instant (ISO 8601). */
  from?: string;
  /** Alerts first detected before this instant (ISO 8601). */
  to?: string;
}

/**
 * An app's detector settings, as shown on the app (`detection`); the detectors also take
 * the app's timezone and business hours.
 */
export interface AppDetectionSettings {
  sensitivity: Sensitivity;
  /** Minimum requests per minute before a spike alert can fire. */
  spikeFloorPerMinute: number;
  /** Minimum requests per minute outside business hours before an off-hours alert can fire. */
  offHoursFloorPerMinute: number;
  /** Keys whose alerts are suppressed (they are still learned). */
  mutedKeyIds: string[];
}

/** What an admin may set on create/update; omitted fields keep their value (or the default). */
export type AppDetectionSettingsUpdate = Partial<AppDetectionSettings>;
