import type { DetectionAlertType } from './alerts';

/**
 * What happens to a key when a detector alert about it opens: `none` (default), a
 * temporary rate limit (`throttle`), refusing the alert's model (`block_model`, for
 * `unusual_model` alerts), or refusing the key (`disable`). Held until the alert is
 * resolved or an admin lifts it.
 */
export const CONTAINMENT_ACTIONS = ['none', 'throttle', 'block_model', 'disable'] as const;
export type ContainmentAction = (typeof CONTAINMENT_ACTIONS)[number];

/** Per app and detector alert type; omitted types are `none`. */
export type AppContainment = Record<DetectionAlertType, ContainmentAction>;
export type AppContainmentUpdate = Partial<AppContainment>;

export const DEFAULT_APP_CONTAINMENT: AppContainment = { spike: 'none', off_hours: 'none', unusual_model: 'none' };

/** A containment in force on a key, as the key shows it. */
export interface KeyContainment {
  action: Exclude<ContainmentAction, 'none'>;
  alertId: string;
  alertType: DetectionAlertType;
  /** When it was applied (ISO 8601). */
  since: string;
  /** Why, in words, e.g. "spike: 900 requests in 1m, expected 3". */
  reason: string;
  /** `throttle`: the temporary limit. */
  rateLimitPerMinute: number | null;
  /** `block_model`: the refused model. */
  model: string | null;
}
