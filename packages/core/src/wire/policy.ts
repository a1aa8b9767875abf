/**
 * Per-key policy (SPEC §3). A key's own policy overrides its app's default policy field
 * by field; a plan preset fills in the limits that neither sets (a key's plan replaces the
 * default's).
 */
export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface RateLimits {
  perMinute?: number;
  perHour?: number;
  perDay?: number;
  /** Requests allowed within any one second. */
  burst?: number;
}

export interface KeyPolicy {
  plan?: Plan;
  rateLimits?: RateLimits;
  /** Requests in flight at once, held by verify leases. */
  concurrency?: number;
  /** IPv4/IPv6 CIDRs (a bare address means /32 or /128). */
  ipAllowlist?: string[];
  /** Model globs, e.g. `gpt-4o*`. */
  allowedModels?: string[];
  /** Decimal amount of the workspace currency per UTC day. */
  dailySpendLimit?: number;
  /** The current secret stops working this many days after it was issued unless rotated. */
  rotationPeriodDays?: number;
}

/**
 * What applies to an admin key on Keywarden's own API: request rate, client IPs and
 * rotation. Concurrency, models and spend describe end-user traffic and do not.
 */
export type AdminKeyPolicy = Pick<KeyPolicy, 'plan' | 'rateLimits' | 'ipAllowlist' | 'rotationPeriodDays'>;

/** The limit closest to running out, as answered by verify and the X-RateLimit-* headers. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** When the window resets, Unix epoch seconds. */
  reset: number;
}

/** `POST /v1/keys/leases/:leaseId/release` */
export interface ReleaseLeaseResponse {
  /** false when the lease was unknown, already released or already expired. */
  released: boolean;
}

export const MAX_RATE_LIMIT = 1_000_000_000;
export const MAX_CONCURRENCY = 100_000;
export const MAX_ROTATION_PERIOD_DAYS = 3_650;
export const MAX_POLICY_LIST_ENTRIES = 100;
