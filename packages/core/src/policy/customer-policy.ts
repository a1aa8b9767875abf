import type { FieldError } from '../wire/common';
import type { CustomerPolicy } from '../wire/customers';
import type { RateLimits } from '../wire/policy';
import { type CompiledPolicy, compilePolicy, type StoredPolicy, toStoredPolicy, toWirePolicy } from './effective-policy';

/** Shorter windows first: each must not allow more than a longer one. */
const WINDOW_ORDER: Array<keyof RateLimits> = ['burst', 'perMinute', 'perHour', 'perDay'];

/**
 * Rate limits that contradict each other: a shorter window allowing more than a longer
 * one (e.g. 100 per minute but 50 per hour) can never be reached, so the limits do not
 * say what their author meant. Answers one field error per contradiction.
 */
export function rateLimitContradictions(rateLimits: RateLimits | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!rateLimits) return errors;
  const set = WINDOW_ORDER.filter((window) => rateLimits[window] !== undefined);
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      const shorter = set[i];
      const longer = set[j];
      if ((rateLimits[shorter] as number) > (rateLimits[longer] as number)) {
        errors.push({ field: `${path}.${shorter}`, message: `must not exceed ${path}.${longer} (${rateLimits[longer]})` });
      }
    }
  }
  return errors;
}

/** A customer's policy as stored: money as integer micro-units (a key policy's subset). */
export function toStoredCustomerPolicy(policy: CustomerPolicy): StoredPolicy {
  return toStoredPolicy(policy);
}

export function toWireCustomerPolicy(stored: StoredPolicy | null): CustomerPolicy | null {
  return toWirePolicy(stored);
}

/** The customer's shared limits, ready for the hot path (rate windows, concurrency, spend cap). */
export function compileCustomerPolicy(stored: StoredPolicy): CompiledPolicy {
  return compilePolicy({
    plan: null,
    rateLimits: stored.rateLimits ?? {},
    concurrency: stored.concurrency ?? null,
    ipAllowlist: null,
    allowedModels: null,
    dailySpendLimitMicros: stored.dailySpendLimitMicros ?? null,
    rotationPeriodDays: null,
  });
}
