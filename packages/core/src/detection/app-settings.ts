import type { BusinessHours } from '../wire/apps';
import type { AppDetectionSettings, AppDetectionSettingsUpdate } from '../wire/alerts';
import { DEFAULT_DETECTOR_SETTINGS } from './engine';
import type { DetectorSettings } from './types';

/**
 * An app stores only the settings its admins changed, so that improved defaults reach
 * every app that never chose otherwise.
 */
export function appDetectionSettings(overrides: AppDetectionSettingsUpdate): AppDetectionSettings {
  return {
    sensitivity: overrides.sensitivity ?? DEFAULT_DETECTOR_SETTINGS.sensitivity,
    spikeFloorPerMinute: overrides.spikeFloorPerMinute ?? DEFAULT_DETECTOR_SETTINGS.spikeFloorPerMinute,
    offHoursFloorPerMinute: overrides.offHoursFloorPerMinute ?? DEFAULT_DETECTOR_SETTINGS.offHoursFloorPerMinute,
    mutedKeyIds: overrides.mutedKeyIds ?? [...DEFAULT_DETECTOR_SETTINGS.mutedKeyIds],
  };
}

/** Everything the detectors need of an app. */
export function detectorSettingsOf(app: {
  timezone: string;
  businessHours: BusinessHours;
  detection: AppDetectionSettingsUpdate;
}): DetectorSettings {
  return { timezone: app.timezone, businessHours: app.businessHours, ...appDetectionSettings(app.detection) };
}
