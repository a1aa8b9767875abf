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
import { type CredentialRecord, policyOf } from '../credentials/credential-record';
import type { Principal } from '../credentials/principal';
import { MetricsService } from '../metrics/metrics.service';
import { LeaseService } from './lease.service';
import { RateLimiterService } from './rate-limiter.service';
import { SpendService } from './spend.service';

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

/**
 * Applies key policies. Checks run cheapest and stateless first (IP, model), then the
 * spend cap (read only), then the rate windows (one token from each, or none), then the
 * concurrency lease; a refusal at any step takes nothing from the later ones, and a
 * refused lease gives the rate tokens back. Spend is added only to admitted requests.
 */
@Injectable()
export class PolicyService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly limiter: RateLimiterService,
    private readonly leases: LeaseService,
    private readonly spend: SpendService,
    private readonly metrics: MetricsService,
  ) {}

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
  async admitManagement(principal: Principal, clientIp: string): Promise<PolicyOutcome> {
    const policy = principal.policy;
    let outcome: PolicyOutcome;
    if (!ipAllowed(policy, clientIp)) outcome = { code: 'IP_NOT_ALLOWED' };
    else {
      const decision = await this.limiter.take(principal.keyId, this.managementWindows(principal));
      outcome = { code: decision.allowed ? 'VALID' : 'RATE_LIMITED', ...(decision.state ? { ratelimit: decision.state } : {}) };
    }
    if (outcome.code !== 'VALID') this.metrics.policyRejections.inc({ code: outcome.code, surface: 'management' });
    return outcome;
  }

  private async evaluateVerify(record: CredentialRecord, request: PolicyRequest): Promise<PolicyOutcome> {
    const policy = policyOf(record);
    if (!ipAllowed(policy, request.ip)) return { code: 'IP_NOT_ALLOWED' };
    if (!modelAllowed(policy, request.model) || modelBlocked(record.containment, request.model)) return { code: 'MODEL_NOT_ALLOWED' };
    const holder = { workspaceId: record.workspaceId, appId: record.appId as string, keyId: record.keyId };
    const cap = policy.dailySpendLimitMicros;
    if (cap !== null && (await this.spend.capReached(holder, cap))) return { code: 'USAGE_EXCEEDED' };
    const decision = await this.limiter.take(record.keyId, policy.windows);
    const ratelimit = decision.state ? { ratelimit: decision.state } : {};
    if (!decision.allowed) return { code: 'RATE_LIMITED', ...ratelimit };
    let leaseId: string | undefined;
    if (policy.concurrency !== null) {
      const lease = await this.leases.acquire(holder, policy.concurrency);
      if (lease.outcome === 'full') {
        this.limiter.refund(record.keyId, decision.taken);
        return { code: 'RATE_LIMITED', ...(decision.state ? { ratelimit: { ...decision.state, remaining: decision.state.remaining + 1 } } : {}) };
      }
      if (lease.outcome === 'acquired') leaseId = lease.leaseId;
    }
    this.spend.add(holder, request.costMicros, cap);
    return { code: 'VALID', ...ratelimit, ...(leaseId ? { leaseId } : {}) };
  }

  private managementWindows(principal: Principal): RateWindowLimit[] {
    if (principal.policy.windows.length > 0) return principal.policy.windows;
    const perMinute = this.config.policy.adminRateLimitPerMinute;
    return perMinute > 0 ? [{ window: 'minute', limit: perMinute }] : [];
  }
}
