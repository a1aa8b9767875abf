import type { Plan, RateLimits } from '../wire/policy';

export interface PlanPreset {
  rateLimits: RateLimits;
  concurrency?: number;
}

/**
 * Plan presets (SPEC §3). `enterprise` presets nothing: its limits, burst included, are
 * whatever the policy sets.
 */
export const PLAN_PRESETS: Record<Plan, PlanPreset> = {
  free: { rateLimits: { perHour: 10, perDay: 100 }, concurrency: 1 },
  starter: { rateLimits: { perHour: 50, perDay: 500 }, concurrency: 3 },
  pro: { rateLimits: { perHour: 200, perDay: 2_000 }, concurrency: 10 },
  enterprise: { rateLimits: {} },
};
