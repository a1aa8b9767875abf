// Key and customer policies the verify and policy benchmarks load: every policy kind,
// with limits no bench run comes near, so every verify is admitted and still counted.

export const MAX_LIMIT = 1_000_000_000;

/** Rate limits in all four windows, an IP allowlist, allowed models, a daily spend cap, a rotation period. */
export const APP_KEY_POLICY = {
  rateLimits: { burst: 1_000_000, perMinute: MAX_LIMIT, perHour: MAX_LIMIT, perDay: MAX_LIMIT },
  ipAllowlist: ['10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'],
  allowedModels: ['gpt-4o*', 'bench-*'],
  dailySpendLimit: 1_000_000_000,
  rotationPeriodDays: 90,
};

/** What the customer's keys share: every rate window and a spend cap, none of them reached. */
export const CUSTOMER_POLICY = {
  rateLimits: { burst: 1_000_000, perMinute: MAX_LIMIT, perHour: MAX_LIMIT, perDay: MAX_LIMIT },
  dailySpendLimit: 1_000_000_000,
};

/** A concurrency limit never reached: one lease per verify, never released (KW_LEASE_TTL_MS frees them). */
export const LEASE_CONCURRENCY = 100_000;
export const LEASE_TTL_MS = 5_000;

/** The verify fields every policy above checks (allowed model and IP, a cost against the cap). */
export const POLICY_VERIFY_FIELDS = { model: 'gpt-4o-mini', ip: '192.0.2.10', units: 42, cost: 0.0125 };
