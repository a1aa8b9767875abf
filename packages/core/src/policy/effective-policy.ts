import { costToMicros, microsToCost } from '../wire/usage';
import type { KeyPolicy, Plan, RateLimits } from '../wire/policy';
import { type CidrRange, cidrContains, ipv4Masks, ipv4Number, ipv4Within, parseCidr, parseClientIp } from './cidr';
import { compileModelGlob } from './model-glob';
import { PLAN_PRESETS } from './plans';
import { rateWindows, type RateWindowLimit } from './windows';

/** A policy as stored: money as integer micro-units, exactly. */
export interface StoredPolicy extends Omit<KeyPolicy, 'dailySpendLimit'> {
  dailySpendLimitMicros?: number;
}

/** What applies to a key once its app's default and the plan presets are folded in. */
export interface EffectivePolicy {
  plan: Plan | null;
  rateLimits: RateLimits;
  concurrency: number | null;
  ipAllowlist: string[] | null;
  allowedModels: string[] | null;
  dailySpendLimitMicros: number | null;
  rotationPeriodDays: number | null;
}

/** An effective policy made ready for the hot path: ranges parsed, globs compiled. */
export interface CompiledPolicy extends EffectivePolicy {
  /** Rate windows, shortest first; empty when the key has no rate limit. */
  windows: RateWindowLimit[];
  ipRanges: CidrRange[] | null;
  /** The IPv4 clients `ipRanges` let in, as `network, mask` pairs (`ipv4Masks`); null without an allowlist. */
  ipv4Masks: number[] | null;
  modelPatterns: RegExp[] | null;
}

/** A decimal amount representable exactly in micro-units (at most 6 decimals). */
export function isMicroAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && microsToCost(costToMicros(value)) === value;
}

export function toStoredPolicy(policy: KeyPolicy): StoredPolicy {
  const { dailySpendLimit, ...rest } = policy;
  return dailySpendLimit === undefined ? rest : { ...rest, dailySpendLimitMicros: costToMicros(dailySpendLimit) };
}

export function toWirePolicy(stored: StoredPolicy | null): KeyPolicy | null {
  if (stored === null) return null;
  const { dailySpendLimitMicros, ...rest } = stored;
  return dailySpendLimitMicros === undefined ? rest : { ...rest, dailySpendLimit: microsToCost(dailySpendLimitMicros) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A policy's plan is shorthand for its limits: the preset first, its explicit fields over it. */
function withPlan(policy: StoredPolicy): StoredPolicy {
  const preset = policy.plan ? PLAN_PRESETS[policy.plan] : undefined;
  return {
    ...definedOnly({ concurrency: preset?.concurrency }),
    ...definedOnly(policy),
    rateLimits: { ...preset?.rateLimits, ...definedOnly(policy.rateLimits ?? {}) },
  };
}

/**
 * The key's own policy over its app's default, field by field (rate limits window by
 * window). Each side's plan is expanded first, so a key on `pro` gets pro's limits even
 * where the app default sets its own. A key that names a plan replaces the default's plan:
 * the default's preset is left out (its explicit limits stay), so a key on `enterprise`,
 * which presets nothing, keeps none of a `free` default's limits.
 */
export function effectivePolicy(appDefault: StoredPolicy | null, own: StoredPolicy | null): EffectivePolicy {
  const key = withPlan(own ?? {});
  const app = withPlan(own?.plan ? { ...appDefault, plan: undefined } : (appDefault ?? {}));
  const pick = <F extends keyof StoredPolicy>(field: F): NonNullable<StoredPolicy[F]> | null =>
    (key[field] ?? app[field] ?? null) as NonNullable<StoredPolicy[F]> | null;
  return {
    plan: pick('plan'),
    rateLimits: { ...app.rateLimits, ...key.rateLimits },
    concurrency: pick('concurrency'),
    ipAllowlist: pick('ipAllowlist'),
    allowedModels: pick('allowedModels'),
    dailySpendLimitMicros: pick('dailySpendLimitMicros'),
    rotationPeriodDays: pick('rotationPeriodDays'),
  };
}

export function compilePolicy(policy: EffectivePolicy): CompiledPolicy {
  // Stored entries were validated when written; one that no longer parses allows nothing.
  const ipRanges = policy.ipAllowlist?.map(parseCidr).filter((range): range is CidrRange => range !== null) ?? null;
  return {
    ...policy,
    windows: rateWindows(policy.rateLimits),
    ipRanges,
    ipv4Masks: ipRanges === null ? null : ipv4Masks(ipRanges),
    modelPatterns: policy.allowedModels?.map(compileModelGlob) ?? null,
  };
}

/**
 * Whether a client IP passes the allowlist. With an allowlist, an absent or unparsable
 * address does not pass: an unknown client cannot be shown to be inside it.
 */
export function ipAllowed(policy: CompiledPolicy, ip: string | undefined): boolean {
  if (policy.ipRanges === null) return true;
  if (ip === undefined) return false;
  // The common case, a dotted quad, is matched as a number against the precomputed masks.
  const ipv4 = ipv4Number(ip);
  if (ipv4 !== -1) return ipv4Within(ipv4, policy.ipv4Masks as number[]);
  const client = parseClientIp(ip);
  return client !== null && policy.ipRanges.some((range) => cidrContains(range, client));
}

/**
 * Whether a model passes the allowed models. With a model restriction, a request that
 * names no model does not pass: what it will use cannot be shown to be allowed.
 */
export function modelAllowed(policy: CompiledPolicy, model: string | undefined): boolean {
  if (policy.modelPatterns === null) return true;
  return model !== undefined && policy.modelPatterns.some((pattern) => pattern.test(model));
}

/** When a secret issued at `issuedAt` stops working under a rotation period; null without one. */
export function rotationDeadline(issuedAt: Date, rotationPeriodDays: number | null): Date | null {
  return rotationPeriodDays === null ? null : new Date(issuedAt.getTime() + rotationPeriodDays * 86_400_000);
}

/**
 * How many tokens of a window an instance asks for at once: what it used in the last
 * interval, scaled to `holdMs` of the same rate, between 1 and `maxBlock`. Redis then
 * caps the grant by a fair share of what remains.
 */
export function reservationWant(input: { taken: number; elapsedMs: number; holdMs: number; maxBlock: number }): number {
  const rate = input.taken / Math.max(input.elapsedMs, 1);
  return Math.min(input.maxBlock, Math.max(1, Math.ceil(rate * input.holdMs)));
}
