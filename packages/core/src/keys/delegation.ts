import type { FieldError } from '../wire/common';
import { type CidrRange, cidrContains, parseCidr } from '../policy/cidr';
import { coverageIssues } from './coverage';
import type { AdminKeyPolicy, RateLimits } from '../wire/policy';

/**
 * What bounds an admin key: its scopes, its apps (null = all), its expiry, and the
 * policy that applies to it on Keywarden's own API. `rateLimits` are the effective ones
 * (its own, or the deployment default an admin key without limits gets).
 */
export interface KeyRestrictions {
  scopes: readonly string[];
  appIds: readonly string[] | null;
  expiresAt: Date | null;
  rateLimits: RateLimits;
  ipAllowlist: readonly string[] | null;
  rotationPeriodDays: number | null;
}

const RATE_FIELDS = ['burst', 'perMinute', 'perHour', 'perDay'] as const;

/** Whether the range lies wholly inside `outer` (same family, at least as long a prefix). */
function rangeWithin(range: CidrRange, outer: CidrRange): boolean {
  return range.prefix >= outer.prefix && cidrContains(outer, range.address);
}

function allowlistWithin(requested: readonly string[], granted: readonly string[]): string[] {
  const outer = granted.map(parseCidr).filter((range): range is CidrRange => range !== null);
  return requested.filter((entry) => {
    const range = parseCidr(entry);
    return range === null || !outer.some((candidate) => rangeWithin(range, candidate));
  });
}

/**
 * The one rule for minting an admin key: a child is never less restricted than its
 * creator. Empty when `child` is within `creator`: every scope held, apps within the
 * creator's, expiry no later, each of the creator's rate windows no looser (bounded by
 * the same or a longer window), client IPs within the creator's allowlist, rotation
 * period no longer.
 */
export function delegationIssues(creator: KeyRestrictions, child: KeyRestrictions): FieldError[] {
  const issues = coverageIssues(creator, child);
  if (creator.expiresAt !== null && (child.expiresAt === null || child.expiresAt > creator.expiresAt)) {
    issues.push({ field: 'expiresAt', message: `must be no later than the calling key's expiry (${creator.expiresAt.toISOString()})` });
  }
  RATE_FIELDS.forEach((field, index) => {
    const limit = creator.rateLimits[field];
    if (limit === undefined) return;
    // Windows are aligned to the epoch and nest (a minute lies within one hour): a limit
    // at most L on this window or on any longer one keeps this window within L.
    const bounded = RATE_FIELDS.slice(index).some((longer) => (child.rateLimits[longer] ?? Infinity) <= limit);
    if (!bounded) {
      issues.push({ field: `policy.rateLimits.${field}`, message: `must be at most the calling key's limit (${limit})` });
    }
  });
  if (creator.ipAllowlist !== null) {
    const outside = child.ipAllowlist === null ? ['every address'] : allowlistWithin(child.ipAllowlist, creator.ipAllowlist);
    if (outside.length > 0) {
      issues.push({ field: 'policy.ipAllowlist', message: `must lie within the calling key's allowlist (outside: ${outside.join(', ')})` });
    }
  }
  if (creator.rotationPeriodDays !== null && (child.rotationPeriodDays === null || child.rotationPeriodDays > creator.rotationPeriodDays)) {
    issues.push({ field: 'policy.rotationPeriodDays', message: `must be at most the calling key's (${creator.rotationPeriodDays})` });
  }
  return issues;
}

/**
 * The child's policy with every restriction it leaves out taken from its creator: an
 * omitted rate window, allowlist or rotation period inherits the creator's, so leaving a
 * field out never loosens it. Windows the child sets are kept as given (and checked by
 * `delegationIssues`).
 */
export function inheritRestrictions(creator: KeyRestrictions, requested: AdminKeyPolicy | undefined): AdminKeyPolicy {
  const policy: AdminKeyPolicy = { ...(requested ?? {}) };
  const inheritedWindows = Object.fromEntries(
    RATE_FIELDS.filter((field) => creator.rateLimits[field] !== undefined && requested?.rateLimits?.[field] === undefined).map(
      (field) => [field, creator.rateLimits[field]],
    ),
  ) as RateLimits;
  if (Object.keys(inheritedWindows).length > 0) policy.rateLimits = { ...inheritedWindows, ...(requested?.rateLimits ?? {}) };
  if (policy.ipAllowlist === undefined && creator.ipAllowlist !== null) policy.ipAllowlist = [...creator.ipAllowlist];
  if (policy.rotationPeriodDays === undefined && creator.rotationPeriodDays !== null) policy.rotationPeriodDays = creator.rotationPeriodDays;
  return policy;
}
