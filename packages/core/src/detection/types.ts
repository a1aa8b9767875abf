import type { AlertEvidence, AppDetectionSettings, DetectionAlertType } from '../wire/alerts';
import type { BusinessHours } from '../wire/apps';

// The alert types, sensitivities and evidence are wire shapes (alerts, app settings); they
// are defined in wire/ and named here too for the detectors' drivers.
export { DETECTION_ALERT_TYPES, SENSITIVITIES, type AlertEvidence, type DetectionAlertType, type Sensitivity } from '../wire/alerts';

/**
 * Contract between the detectors (pure, in core) and their two drivers: the worker, which
 * steps them on closed minute buckets and persists their state, and the replay command.
 */

/** Per-app detector settings: what admins set on the app, plus its timezone and business hours. */
export interface DetectorSettings extends AppDetectionSettings {
  /** IANA zone of the app: hour-of-week baselines and business hours are local to it. */
  timezone: string;
  businessHours: BusinessHours;
}

/** One closed minute of one key and model. `model` is null when requests named none. */
export interface MinuteCount {
  keyId: string;
  model: string | null;
  count: number;
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
