import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  RATE_WINDOWS,
  type RateLimitState,
  type RateWindowLimit,
  type RateWindowName,
  reservationWant,
  windowResetSeconds,
  windowStartMs,
} from '@keywarden/core';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { withPolicyScripts } from './redis-scripts';

const INSTANCES_KEY = 'kw:rl:instances';
const HEARTBEAT_MS = 5_000;
/** An instance silent for this long no longer counts towards the fair share. */
const INSTANCE_TIMEOUT_MS = 15_000;
/** Limiters of subjects unused for this long are forgotten (their tokens are lost). */
const IDLE_MS = 10 * 60_000;
/** Redis counters outlive their window by this much (clock skew between instances). */
const COUNTER_GRACE_MS = 60_000;

/** One window of one subject, as this instance sees it. */
interface WindowBudget {
  window: RateWindowName;
  limit: number;
  startMs: number;
  /** Tokens this instance reserved in Redis and has not spent. */
  local: number;
  /** Tokens reserved in Redis by every instance, as of our last reservation. */
  reservedTotal: number;
  /** Redis answered that nothing is left: refuse locally until the window ends. */
  exhausted: boolean;
  takenSinceReserve: number;
  lastReserveAt: number;
}

interface SubjectLimiter {
  budgets: Map<RateWindowName, WindowBudget>;
  /** The reservation in flight: concurrent requests wait for it instead of sending their own. */
  pending?: Promise<boolean>;
  lastUsedAt: number;
}

export type RateDecision =
  | { allowed: true; state: RateLimitState | null; taken: Array<{ window: RateWindowName; startMs: number }> }
  | { allowed: false; state: RateLimitState };

/**
 * Rate limits shared by every API instance, counted local-first. Each instance reserves
 * blocks of a window's budget from Redis (one atomic Lua call for all windows of a
 * subject) and spends them from memory; it reserves again when a block runs out. The
 * Redis counter only ever grows by what it granted and never past the limit, so no
 * window admits more than its limit across instances. What an instance holds unspent
 * when the window ends is lost: that undershoot is bounded by the blocks held, each at
 * most `remaining / (2 × live instances)` and about `KW_RATE_LIMIT_HOLD_MS` of that
 * instance's own traffic (see docs/policies.md, "Across instances").
 */
@Injectable()
export class RateLimiterService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiterService.name);
  private readonly redis: Redis;
  private readonly subjects = new Map<string, SubjectLimiter>();
  private readonly instanceId = randomUUID();
  private liveInstances = 1;
  private heartbeat?: NodeJS.Timeout;
  private lastFailureLogAt = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) redis: Redis,
    private readonly metrics: MetricsService,
  ) {
    this.redis = withPolicyScripts(redis);
  }

  /** API instances seen alive in Redis (at least 1): fair shares of a budget divide by them. */
  get instances(): number {
    return this.liveInstances;
  }

  onModuleInit(): void {
    void this.beat();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * Takes one token from every window, or none: when any window is used up the request
   * is refused and the others keep their tokens.
   */
  async take(subject: string, windows: RateWindowLimit[], nowMs = Date.now()): Promise<RateDecision> {
    if (windows.length === 0) return { allowed: true, state: null, taken: [] };
    for (;;) {
      const limiter = this.limiterOf(subject, nowMs);
      const budgets = windows.map((limit) => this.budgetOf(limiter, limit, nowMs));
      const exhausted = budgets.find((budget) => budget.local === 0 && budget.exhausted);
      if (exhausted) return { allowed: false, state: { limit: exhausted.limit, remaining: 0, reset: resetOf(exhausted) } };
      if (budgets.every((budget) => budget.local > 0)) {
        for (const budget of budgets) {
          budget.local--;
          budget.takenSinceReserve++;
        }
        return { allowed: true, state: tightest(budgets), taken: budgets.map(({ window, startMs }) => ({ window, startMs })) };
      }
      if (!limiter.pending) {
        limiter.pending = this.reserve(subject, budgets, nowMs).finally(() => {
          limiter.pending = undefined;
        });
      }
      if (!(await limiter.pending)) return { allowed: true, state: null, taken: [] };
      nowMs = Date.now();
    }
  }

  /** Gives back tokens of a request refused by a later check (still this window's only). */
  refund(subject: string, taken: Array<{ window: RateWindowName; startMs: number }>): void {
    const limiter = this.subjects.get(subject);
    for (const { window, startMs } of taken) {
      const budget = limiter?.budgets.get(window);
      if (budget && budget.startMs === startMs) {
        budget.local++;
        budget.takenSinceReserve--;
      }
    }
  }

  /**
   * One Lua call for every window out of tokens. Resolves to
   * false when Redis could not be reached: the caller then admits without counting
   * (limits fail open while Redis is away, as metering does).
   */
  private async reserve(subject: string, budgets: WindowBudget[], nowMs: number): Promise<boolean> {
    const wanted = budgets
      .filter((budget) => budget.local === 0)
      .map((budget) => ({
        budget,
        want: reservationWant({
          taken: budget.takenSinceReserve,
          elapsedMs: nowMs - budget.lastReserveAt,
          holdMs: this.config.policy.reservationHoldMs,
          maxBlock: this.config.policy.reservationMaxBlock,
        }),
      }));
    const keys = wanted.map(({ budget }) => `kw:rl:{${subject}}:${budget.window}:${budget.startMs / 1000}`);
    const args = wanted.flatMap(({ budget, want }) => [budget.limit, want, RATE_WINDOWS[budget.window] + COUNTER_GRACE_MS]);
    let reply: number[];
    try {
      reply = await this.redis.kwReserve(keys.length, ...keys, this.liveInstances, ...args);
    } catch (error) {
      this.metrics.rateLimitReservations.inc({ outcome: 'error' });
      this.logFailure(error as Error);
      return false;
    }
    if (reply[0] === 0) {
      this.metrics.rateLimitReservations.inc({ outcome: 'exhausted' });
      wanted[reply[1] - 1].budget.exhausted = true;
      return true;
    }
    this.metrics.rateLimitReservations.inc({ outcome: 'granted' });
    wanted.forEach(({ budget }, index) => {
      budget.local += reply[1 + index * 2];
      budget.reservedTotal = reply[2 + index * 2];
      budget.takenSinceReserve = 0;
      budget.lastReserveAt = nowMs;
    });
    return true;
  }

  private limiterOf(subject: string, nowMs: number): SubjectLimiter {
    let limiter = this.subjects.get(subject);
    if (!limiter) {
      if (this.subjects.size > 10_000) this.forgetIdle(nowMs);
      limiter = { budgets: new Map(), lastUsedAt: nowMs };
      this.subjects.set(subject, limiter);
    }
    limiter.lastUsedAt = nowMs;
    return limiter;
  }

  /** This window's budget; a new window (or a changed limit) starts from nothing held. */
  private budgetOf(limiter: SubjectLimiter, { window, limit }: RateWindowLimit, nowMs: number): WindowBudget {
    const startMs = windowStartMs(window, nowMs);
    let budget = limiter.budgets.get(window);
    if (!budget || budget.startMs !== startMs) {
      budget = { window, limit, startMs, local: 0, reservedTotal: 0, exhausted: false, takenSinceReserve: 0, lastReserveAt: nowMs };
      limiter.budgets.set(window, budget);
    } else if (budget.limit !== limit) {
      budget.limit = limit;
      budget.exhausted = false;
    }
    return budget;
  }

  private forgetIdle(nowMs: number): void {
    for (const [subject, limiter] of this.subjects) {
      if (nowMs - limiter.lastUsedAt > IDLE_MS && !limiter.pending) this.subjects.delete(subject);
    }
  }

  /** Registers this instance and counts the live ones: the fair share divides by them. */
  private async beat(): Promise<void> {
    const now = Date.now();
    try {
      const replies = await this.redis
        .multi()
        .zadd(INSTANCES_KEY, now, this.instanceId)
        .zremrangebyscore(INSTANCES_KEY, '-inf', now - INSTANCE_TIMEOUT_MS)
        .zcard(INSTANCES_KEY)
        .exec();
      const count = Number(replies?.[2]?.[1] ?? 1);
      this.liveInstances = Math.max(1, count);
      this.metrics.liveInstances.set(this.liveInstances);
    } catch (error) {
      this.logFailure(error as Error);
    }
  }

  private logFailure(error: Error): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < 10_000) return;
    this.lastFailureLogAt = now;
    this.logger.warn(`rate limits cannot reach Redis, admitting without counting: ${error.message}`);
  }
}

function resetOf(budget: WindowBudget): number {
  return windowResetSeconds(budget.window, budget.startMs);
}

/**
 * The window closest to running out after this request: fewest remaining, then the
 * later reset. Remaining is this instance's view: the limit minus what all instances had
 * reserved at its last reservation, plus what it still holds.
 */
function tightest([first, ...rest]: WindowBudget[]): RateLimitState {
  const stateOf = (budget: WindowBudget): RateLimitState => ({
    limit: budget.limit,
    remaining: Math.max(0, budget.limit - budget.reservedTotal + budget.local),
    reset: resetOf(budget),
  });
  let best = stateOf(first);
  for (const budget of rest) {
    const state = stateOf(budget);
    if (state.remaining < best.remaining || (state.remaining === best.remaining && state.reset > best.reset)) best = state;
  }
  return best;
}
