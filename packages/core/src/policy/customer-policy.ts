import type { CustomerPolicy } from '../wire/customers';
import { type CompiledPolicy, compilePolicy, type StoredPolicy, toStoredPolicy, toWirePolicy } from './effective-policy';

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
