import type { AlertEvidence, DetectionAlertType } from '../detection/types';
import type { EffectivePolicy } from '../policy/effective-policy';
import type { ContainmentAction, KeyContainment } from '../wire/containment';

/** A throttled key may run at this multiple of the rate its alert expected. */
export const THROTTLE_MULTIPLE = 2;
/** Never throttle below one request a minute: a throttled key keeps a trickle. */
export const MIN_THROTTLE_PER_MINUTE = 1;

/** Minutes the evidence window spans (`1m`, `15m`); 1 when unreadable. */
function windowMinutes(window: string): number {
  const minutes = Number.parseInt(window, 10);
  return Number.isFinite(minutes) && minutes > 0 ? minutes : 1;
}

/** The temporary per-minute limit of a throttled key: a multiple of the expected rate. */
export function throttleLimitPerMinute(evidence: AlertEvidence, multiple = THROTTLE_MULTIPLE): number {
  const expectedPerMinute = Math.max(0, evidence.expected) / windowMinutes(evidence.window);
  return Math.max(MIN_THROTTLE_PER_MINUTE, Math.ceil(expectedPerMinute * multiple));
}

export interface ContainedAlert {
  id: string;
  type: DetectionAlertType;
  model: string | null;
  evidence: AlertEvidence;
}

/**
 * The containment an app's setting puts on a key when a detector alert opens, or null
 * (`none`, or `block_model` on an alert that names no model).
 */
export function containmentFor(action: ContainmentAction, alert: ContainedAlert, now: Date): KeyContainment | null {
  if (action === 'none') return null;
  if (action === 'block_model' && alert.model === null) return null;
  const { observed, expected, window } = alert.evidence;
  return {
    action,
    alertId: alert.id,
    alertType: alert.type,
    since: now.toISOString(),
    reason: `${alert.type}${alert.model ? ` (${alert.model})` : ''}: ${observed} requests in ${window}, expected ${expected}`,
    rateLimitPerMinute: action === 'throttle' ? throttleLimitPerMinute(alert.evidence) : null,
    model: action === 'block_model' ? alert.model : null,
  };
}

/** A throttled key's policy: its per-minute limit is at most the throttle's. */
export function containedPolicy(policy: EffectivePolicy, containment: KeyContainment | null): EffectivePolicy {
  if (containment?.action !== 'throttle' || containment.rateLimitPerMinute === null) return policy;
  const own = policy.rateLimits.perMinute;
  const perMinute = own === undefined ? containment.rateLimitPerMinute : Math.min(own, containment.rateLimitPerMinute);
  return { ...policy, rateLimits: { ...policy.rateLimits, perMinute } };
}

/** Whether a containment refuses this request's model. */
export function modelBlocked(containment: KeyContainment | null, model: string | undefined): boolean {
  return containment?.action === 'block_model' && model !== undefined && model === containment.model;
}

const STRENGTH: Record<KeyContainment['action'], number> = { throttle: 1, block_model: 2, disable: 3 };

/**
 * A key holds one containment at a time: a new one replaces the one in force only when it
 * is stronger (throttle < block_model < disable).
 */
export function replacesContainment(current: KeyContainment | null, next: KeyContainment): boolean {
  return current === null || STRENGTH[next.action] > STRENGTH[current.action];
}

/**
 * Redis pub/sub channel on which a changed key's id is published: every API instance of
 * the deployment drops it from its cache. Pub/sub ignores Redis database numbers, so the
 * channel carries the deployment's queue namespace: deployments sharing a Redis stay apart.
 */
export function keyInvalidationChannel(namespace: string): string {
  return `${namespace}:key-invalidations`;
}
