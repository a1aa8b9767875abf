import { Inject, Injectable, Logger } from '@nestjs/common';
import { canActOnApp, newId } from '@keywarden/core';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import type { Principal } from '../credentials/principal';
import { MetricsService } from '../metrics/metrics.service';
import { withPolicyScripts } from './redis-scripts';

export interface LeaseHolder {
  workspaceId: string;
  appId: string;
  keyId: string;
}

/** One concurrency limit to hold a slot of: the key's own, or its customer's (shared by all its keys). */
export interface LeaseLimit {
  /** Key id or customer id: whose sorted set of leases. */
  subject: string;
  limit: number;
}

export type LeaseAcquisition = { outcome: 'acquired'; leaseId: string } | { outcome: 'full' } | { outcome: 'unavailable' };

const leasesKey = (subject: string) => `kw:lease:{${subject}}`;
const leaseRefKey = (leaseId: string) => `kw:lease-ref:${leaseId}`;

/**
 * Concurrency leases, strict across instances: each acquire and release is one atomic
 * Lua call on the key's sorted set of leases in Redis. A lease not released within
 * `KW_LEASE_TTL_MS` frees itself. The lease id is looked up through a small reference
 * key (in its own slot), so a release names the lease only.
 */
@Injectable()
export class LeaseService {
  private readonly logger = new Logger(LeaseService.name);
  private readonly redis: Redis;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) redis: Redis,
    private readonly metrics: MetricsService,
  ) {
    this.redis = withPolicyScripts(redis);
  }

  /**
   * One lease holding a slot under every given limit (the key's and its customer's), or
   * `full` when any of them is full: then the slots taken under the others are given back,
   * so a refusal by one takes nothing from the other. One round trip. `unavailable` when
   * Redis cannot be reached: concurrency then fails open, as rate limits do.
   */
  async acquire(holder: LeaseHolder, limits: LeaseLimit[]): Promise<LeaseAcquisition> {
    const leaseId = newId('lease');
    const ttlMs = this.config.policy.leaseTtlMs;
    this.metrics.leaseCommands.inc({ operation: 'acquire' });
    let acquired: boolean[];
    try {
      const pipeline = this.redis
        .pipeline()
        .set(leaseRefKey(leaseId), [holder.workspaceId, holder.appId, ...limits.map((l) => l.subject)].join(' '), 'PX', ttlMs);
      for (const { subject, limit } of limits) pipeline.kwAcquireLease(leasesKey(subject), limit, leaseId, ttlMs);
      const replies = (await pipeline.exec()) as Array<[Error | null, unknown]>;
      const failed = replies.find(([error]) => error !== null);
      if (failed) throw failed[0];
      acquired = replies.slice(1).map(([, reply]) => reply === 1);
    } catch (error) {
      this.logger.warn(`concurrency lease unavailable, admitting without one: ${(error as Error).message}`);
      return { outcome: 'unavailable' };
    }
    if (acquired.every(Boolean)) return { outcome: 'acquired', leaseId };
    const giveBack = this.redis.pipeline().del(leaseRefKey(leaseId));
    limits.forEach(({ subject }, index) => {
      if (acquired[index]) giveBack.kwReleaseLease(leasesKey(subject), leaseId);
    });
    void giveBack.exec().catch(() => undefined);
    return { outcome: 'full' };
  }

  /**
   * Frees a lease of the caller's workspace (and app restriction). An unknown, foreign,
   * released or expired lease answers false.
   */
  async release(caller: Principal, leaseId: string): Promise<boolean> {
    const ref = await this.leasesAvailable(() => this.redis.get(leaseRefKey(leaseId)));
    this.metrics.leaseCommands.inc({ operation: 'release' });
    if (ref === null) return false;
    const [workspaceId, appId, ...subjects] = ref.split(' ');
    if (workspaceId !== caller.workspaceId || !canActOnApp(caller.appIds, appId)) return false;
    const released = await this.leasesAvailable(async () => {
      const pipeline = this.redis.pipeline();
      for (const subject of subjects) pipeline.kwReleaseLease(leasesKey(subject), leaseId);
      const [[releaseError, result]] = (await pipeline.del(leaseRefKey(leaseId)).exec()) as Array<[Error | null, unknown]>;
      if (releaseError) throw releaseError;
      return result;
    });
    return released === 1;
  }

  /**
   * A release needs Redis: when it cannot be reached, the caller gets 503 (the lease
   * expires on its own). Any other failure is a bug and stays one.
   */
  private async leasesAvailable<T>(redisCall: () => Promise<T>): Promise<T> {
    try {
      return await redisCall();
    } catch (error) {
      this.logger.warn(`concurrency lease release failed in Redis: ${(error as Error).message}`);
      throw new ApiError('SERVICE_UNAVAILABLE', 'Leases are unavailable; the lease expires on its own');
    }
  }
}
