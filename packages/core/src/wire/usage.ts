import type { PageQuery } from './common';

/**
 * One metered use: an authenticated request, a verify, or reported usage. Metadata only:
 * never bodies, never key material. Money is integer micro-units of the workspace
 * currency (1.25 → 1_250_000).
 */
export interface UsageEvent {
  /** `evt_...`. Reported usage is made idempotent by (workspaceId, requestId) instead. */
  id: string;
  /** ISO 8601. */
  timestamp: string;
  workspaceId: string;
  appId: string | null;
  keyId: string | null;
  /** The customer holding the key at the time of the event. */
  customerId?: string | null;
  kind: 'request' | 'verify' | 'report';
  /** Route pattern (`POST /v1/keys/verify`) or the verified scope. */
  route: string;
  scope: string | null;
  model: string | null;
  /** VALID or an error code. */
  outcome: string;
  status: number;
  ip: string | null;
  units: number;
  costMicros: number;
  latencyMs: number;
  requestId: string | null;
}

/** One BullMQ job: a batch of events, applied exactly once by its batchId. */
export interface UsageBatchJob {
  batchId: string;
  events: UsageEvent[];
}

/** One item of `POST /v1/usage`: usage known only after the fact (tokens, cost). */
export interface UsageReportItem {
  keyId: string;
  model: string;
  units: number;
  /** Decimal amount, e.g. 0.0125. */
  cost: number;
  /**
   * When the usage happened, ISO 8601 with its zone: at most the access log's retention
   * (`KW_ACCESS_LOG_RETENTION_DAYS`, 30 days by default) in the past and 5 minutes in the future.
   */
  timestamp: string;
  requestId: string;
}

export interface ReportUsageRequest {
  events: UsageReportItem[];
}

export interface ReportUsageResponse {
  /**
   * Items taken: all of the report's. A requestId counted before is among them, and is
   * dropped when the worker applies the batch (it still counts once).
   */
  accepted: number;
}

/**
 * A reported item may be stamped at most this far in the future (clock skew), and at most
 * the access log's retention (KW_ACCESS_LOG_RETENTION_DAYS) in the past.
 */
export const REPORT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const USAGE_GROUP_BY = ['model', 'outcome', 'key', 'customer'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

export interface UsageQuery {
  appId?: string;
  keyId?: string;
  /** Usage of all the keys a customer held (one of appId / keyId / customerId). */
  customerId?: string;
  model?: string;
  granularity: Granularity;
  from: string;
  to: string;
  groupBy?: UsageGroupBy;
}

export interface UsageTotals {
  requests: number;
  units: number;
  /** Decimal amount. */
  cost: number;
}

export interface UsagePoint extends UsageTotals {
  bucket: string;
  key?: string;
  /** groupBy=customer: the customer id, '' for keys of no customer. */
  customer?: string;
  model?: string;
  outcome?: string;
}

export interface UsageResponse {
  granularity: Granularity;
  from: string;
  to: string;
  totals: UsageTotals;
  series: UsagePoint[];
}

/** One row of a key's access log (`GET /v1/keys/:id/requests`): the event, cost as a decimal. */
export interface AccessLogEntry extends Omit<UsageEvent, 'workspaceId' | 'appId' | 'keyId' | 'costMicros' | 'customerId'> {
  cost: number;
  customerId: string | null;
}

export interface ListKeyRequestsQuery extends PageQuery {
  from?: string;
  to?: string;
  outcome?: string;
  model?: string;
}

export const MICROS_PER_UNIT = 1_000_000;

/**
 * Decimal amount → integer micro-units, rounded half-up at the 6th decimal on the
 * number's shortest decimal form (so 0.1 → 100_000 and 1.0000005 → 1_000_001 exactly,
 * which `Math.round(x * 1e6)` gets wrong).
 */
export function costToMicros(cost: number): number {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError('cost must be a finite number >= 0');
  // Below 10^6 units, `cost × 10^6` is within 3·10^-4 of the decimal's exact scaled value:
  // when it is that close to an integer, that integer is the rounding (no tie near), and
  // no string is built. Costs with at most 6 decimals, which verify bodies carry, all take this path.
  const scaled = cost * MICROS_PER_UNIT;
  if (scaled < 1e12) {
    const micros = Math.round(scaled);
    if (Math.abs(scaled - micros) < 0.01) return micros;
  }
  const text = String(cost);
  if (/e/i.test(text)) return Math.round(cost * MICROS_PER_UNIT);
  const [whole, fraction = ''] = text.split('.');
  const digits = fraction.padEnd(7, '0');
  const micros = Number(whole) * MICROS_PER_UNIT + Number(digits.slice(0, 6));
  return digits[6] >= '5' ? micros + 1 : micros;
}

/**
 * A cost a caller may send: a finite amount >= 0 that is a whole number of micro-units, up
 * to the noise of binary floating point (0.0125 × 3 arrives as 0.037500000000000006 and
 * is 37,500 micro-units). A finer amount (0.0000001, 1.2345678) would be rounded by
 * `costToMicros`, so money would not be stored as sent: refused.
 */
export function isCostOfMicros(cost: unknown): cost is number {
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) return false;
  const scaled = cost * MICROS_PER_UNIT;
  // Far below a micro-unit (1e-10) is within the noise allowance, yet no noise of a real amount.
  if (cost > 0 && Math.round(scaled) === 0) return false;
  return Math.abs(scaled - Math.round(scaled)) <= Math.max(1e-3, 4 * Number.EPSILON * scaled);
}

/** Integer micro-units → decimal amount. */
export function microsToCost(micros: number): number {
  return micros / MICROS_PER_UNIT;
}
