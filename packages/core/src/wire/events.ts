import type { KeyContainment } from './containment';
import type { LeakAction } from './leaks';
/**
 * Events Keywarden emits to an app's webhook endpoints. Producers (the API for key
 * lifecycle and spend caps, the worker for alerts and expiry) write them to the
 * `webhook_events` outbox in the same transaction as the change they describe; the
 * worker fans each one out to the app's subscribed endpoints. No key material, ever.
 */
export const WEBHOOK_EVENT_TYPES = [
  'alert.spike',
  'alert.unusual_model',
  'alert.off_hours',
  'alert.canary_used',
  'alert.resolved',
  'key.created',
  'key.rotated',
  'key.revoked',
  'key.expiring',
  'key.leaked',
  'key.contained',
  'key.released',
  'usage.limit_reached',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a customer's own endpoint can hear of: a canary's use goes to app-wide endpoints only. */
export const CUSTOMER_WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES.filter((type) => type !== 'alert.canary_used');

/** The body of every delivery (Standard Webhooks shape). */
export interface WebhookPayload<T = Record<string, unknown>> {
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: T;
}

/** `key.created` / `key.rotated` / `key.revoked`: identity only, never the secret. */
export interface KeyEventData {
  keyId: string;
  appId: string;
  environment: string;
  name: string;
  /** Display prefix of the current secret, e.g. `kw_live_a1B2`. */
  prefix: string;
  /** The customer holding the key; null when none. */
  customerId: string | null;
}

/** `key.expiring`: the key (or its current secret, under a rotation period) stops working at `expiresAt`. */
export interface KeyExpiringData extends KeyEventData {
  expiresAt: string;
  reason: 'expiry' | 'rotation_period';
}

/** `usage.limit_reached`: today's reported spend reached the key's daily cap (once per key per day). */
export interface UsageLimitReachedData {
  /** `key`: the key's own cap; `customer`: the cap shared by all keys of `customerId` (keyId is the key that reached it). */
  limitOf: 'key' | 'customer';
  keyId: string;
  appId: string;
  customerId: string | null;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Decimal amounts of the workspace currency. */
  spent: number;
  limit: number;
}

/** `key.leaked`: a leak report about the key was confirmed (once per incident). */
export interface KeyLeakedData extends KeyEventData {
  alertId: string;
  source: string | null;
  url: string | null;
  /** What Keywarden did about it, from the app's `leakResponse`. */
  action: LeakAction;
}

/** `key.contained` / `key.released`: containment applied on a detector alert, or lifted. */
export interface KeyContainmentEventData extends KeyEventData {
  containment: KeyContainment;
}
