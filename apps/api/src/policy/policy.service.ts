import { Inject, Injectable } from '@nestjs/common';
import {
  ipAllowed,
  modelAllowed,
  modelBlocked,
  type RateLimitState,
  type RateWindowLimit,
  type VerifyCode,
} from '@keywarden/core';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { type CredentialRecord, customerPolicyOf, policyOf } from '../credentials/credential-record';
import type { Principal } from '../credentials/principal';
import { MetricsService } from '../metrics/metrics.service';
import { type LeaseLimit, LeaseService } from './lease.service';
import { type RateDecision, RateLimiterService } from './rate-limiter.service';
import { type SpendHolder, SpendService, type SpendTaken } from './spend.service';

export interface PolicyOutcome {
  code: Extract<VerifyCode, 'VALID' | 'IP_NOT_ALLOWED' | 'MODEL_NOT_ALLOWED' | 'USAGE_EXCEEDED' | 'RATE_LIMITED'>;
  ratelimit?: RateLimitState;
  leaseId?: string;
}

export interface PolicyRequest {
  ip?: string;
  model?: string;
  costMicros: number;
}

const NO_LIMIT: RateDecision = { allowed: true, state: null, taken: [] };
const IP_NOT_ALLOWED: PolicyOutcome = { code: 'IP_NOT_ALLOWED' };
const MODEL_NOT_ALLOWED: PolicyOutcome = { code: 'MODEL_NOT_ALLOWED' };
const USAGE_EXCEEDED: PolicyOutcome = { code: 'USAGE_EXCEEDED' };

/** A management call's outcome from its rate-limit decision. */
function outcomeOfDecision(decision: RateDecision): PolicyOutcome {
  const code = decision.allowed ? 'VALID' : 'RATE_LIMITED';
  return decision.state ? { code, ratelimit: decision.state } : { code };
}

/** The state closer to running out: fewer remaining, then the later reset. */
function tighter(a: RateLimitState | null, b: RateLimitState | null): RateLimitState | null {
  if (a === null || b === null) return a ?? b;
  if (b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset)) return b;
  return a;
}

/**
 * Applies key policies (and the policies customers share over their keys). Checks run cheapest and stateless first (IP, model), then the
 * spend caps (the request's cost taken from a reserved budget), then the rate windows (one
 * token from each, or none), then the concurrency lease; a refusal at any step takes
 * nothing from the later ones and gives back what the earlier ones took, so spend counts
 * only admitted requests. Spend caps and rate limits answer from this instance's memory
 * while it holds budget (no promise then: only a call to Redis is awaited).
 */
@Injectable()
export class PolicyService {
  /** The admin keys' rate limit where their own policy sets none (from config: one array, not one per request). */
  private readonly defaultManagementWindows: readonly RateWindowLimit[];

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly limiter: RateLimiterService,
    private readonly leases: LeaseService,
    private readonly spend: SpendService,
    private readonly metrics: MetricsService,
  ) {
    const perMinute = this.config.policy.adminRateLimitPerMinute;
    this.defaultManagementWindows = perMinute > 0 ? [{ window: 'minute', limit: perMinute }] : [];
  }

  /** An app key's policy on verify: IPs and models as given in the verify body. */
  async admitVerify(record: CredentialRecord, request: PolicyRequest): Promise<PolicyOutcome> {
    const outcome = await this.evaluateVerify(record, request);
    if (outcome.code !== 'VALID') this.metrics.policyRejections.inc({ code: outcome.code, surface: 'verify' });
    return outcome;
  }

  /**
   * An admin key (or an app key on `/v1/me`) on Keywarden's own API: its IP allowlist
   * against the request's client IP, then its rate limits (or the deployment default).
   */
  admitManagement(principal: Principal, clientIp: string): PolicyOutcome | Promise<PolicyOutcome> {
    const policy = principal.policy;
    if (!ipAllowed(policy, clientIp)) return this.managementOutcome(IP_NOT_ALLOWED);
    const windows = policy.windows.length > 0 ? policy.windows : this.defaultManagementWindows;
    const decision = this.limiter.take(principal.keyId, windows);
    // Answered at once when the limiter is (a local window): every verify's caller goes through here.
    return decision instanceof Promise ? decision.then((settled) => this.managementOutcome(outcomeOfDecision(settled))) : this.managementOutcome(outcomeOfDecision(decision));
  }

  private managementOutcome(outcome: PolicyOutcome): PolicyOutcome {
    if (outcome.code !== 'VALID') this.metrics.policyRejections.inc({ code: outcome.code, surface: 'management' });
    return outcome;
  }

  /**
   * The key's policy and, when the key has a customer, the customer's shared one: both
   * must admit. Each step checks the key first, then the customer; a refusal gives back
   * what was already taken (spend, rate tokens, lease slots), so a refusal by one takes
   * nothing from the other. The answer's rate-limit state is the tightest of the two.
   */
  private async evaluateVerify(record: CredentialRecord, request: PolicyRequest): Promise<PolicyOutcome> {
    const policy = policyOf(record);
    const customer = customerPolicyOf(record);
    if (!ipAllowed(policy, request.ip)) return IP_NOT_ALLOWED;
    if (!modelAllowed(policy, request.model) || modelBlocked(record.containment, request.model)) return MODEL_NOT_ALLOWED;
    const holder: SpendHolder = { workspaceId: record.workspaceId, appId: record.appId as string, keyId: record.keyId, customerId: record.customerId };
    const cap = policy.dailySpendLimitMicros;
    const customerCap = customer?.dailySpendLimitMicros ?? null;
    let keySpend: SpendTaken | null = null;
    if (cap !== null) {
      let taken = this.spend.take(holder, cap, request.costMicros);
      if (taken instanceof Promise) taken = await taken;
      if (!taken) return USAGE_EXCEEDED;
      keySpend = taken;
    }
    let customerSpend: SpendTaken | null = null;
    if (customerCap !== null) {
      let taken = this.spend.take(holder, customerCap, request.costMicros, 'customer');
      if (taken instanceof Promise) taken = await taken;
      if (!taken) {
        this.refundSpend(keySpend, null);
        return USAGE_EXCEEDED;
      }
      customerSpend = taken;
    }

    let keyDecision = this.limiter.take(record.keyId, policy.windows);
    if (keyDecision instanceof Promise) keyDecision = await keyDecision;
    if (!keyDecision.allowed) {
      this.refundSpend(keySpend, customerSpend);
      return { code: 'RATE_LIMITED', ratelimit: keyDecision.state };
    }
    const customerId = record.customerId as string;
    let customerDecision = customer ? this.limiter.take(customerId, customer.windows) : NO_LIMIT;
    if (customerDecision instanceof Promise) customerDecision = await customerDecision;
    if (!customerDecision.allowed) {
      this.limiter.refund(keyDecision.taken);
      this.refundSpend(keySpend, customerSpend);
      return { code: 'RATE_LIMITED', ratelimit: customerDecision.state };
    }
    const state = tighter(keyDecision.state, customerDecision.state);

    let leaseId: string | undefined;
    if (policy.concurrency !== null || customer?.concurrency != null) {
      const leaseLimits: LeaseLimit[] = [];
      if (policy.concurrency !== null) leaseLimits.push({ subject: record.keyId, limit: policy.concurrency });
      if (customer?.concurrency != null) leaseLimits.push({ subject: customerId, limit: customer.concurrency });
      const lease = await this.leases.acquire(holder, leaseLimits);
      if (lease.outcome === 'full') {
        this.limiter.refund(keyDecision.taken);
        this.limiter.refund(customerDecision.taken);
        this.refundSpend(keySpend, customerSpend);
        return { code: 'RATE_LIMITED', ...(state ? { ratelimit: { ...state, remaining: state.remaining + 1 } } : {}) };
      }
      if (lease.outcome === 'acquired') leaseId = lease.leaseId;
    }
    // Uncapped spend is still counted, so that a cap set later today starts from it: the
    // customer's too when it has no policy yet (`add` skips a key without a customer).
    if (cap === null) this.spend.add(holder, request.costMicros, null);
    if (customerCap === null) this.spend.add(holder, request.costMicros, null, Date.now(), 'customer');
    if (state === null) return leaseId === undefined ? { code: 'VALID' } : { code: 'VALID', leaseId };
    return leaseId === undefined ? { code: 'VALID', ratelimit: state } : { code: 'VALID', ratelimit: state, leaseId };
  }

  /** Gives back the spend a request took from the key's and the customer's caps before a later check refused it. */
  private refundSpend(keySpend: SpendTaken | null, customerSpend: SpendTaken | null): void {
    if (keySpend) this.spend.refund(keySpend);
    if (customerSpend) this.spend.refund(customerSpend);
  }
}
