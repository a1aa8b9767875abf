import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  RATE_WINDOWS,
  type RateLimitState,
  type RateWindowLimit,
  type RateWindowName,
  reservationWant,
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

/** One window of one subject, as this instance sees it: a new object for each window period. */
export interface WindowBudget {
  window: RateWindowName;
  limit: number;
  startMs: number;
  /** When this window period ends (ms), and the same in seconds: the state's `reset`. */
  endMs: number;
  resetSeconds: number;
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
  /** The key or customer id whose windows these are. */
  subject: string;
  budgets: Map<RateWindowName, WindowBudget>;
  /**
   * The budgets of the windows last asked for, in their order, while every one of them is
   * in its period (`currentFromMs` to `currentUntilMs`): a request in the same periods
   * uses them as they are, without window arithmetic or lookups. A new array whenever
   * one of them rolls over, never changed in place: a decision's `taken` is this array.
   */
  current: readonly WindowBudget[];
  currentFromMs: number;
  currentUntilMs: number;
  /** The reservation in flight: concurrent requests wait for it instead of sending their own. */
  pending?: Promise<boolean>;
  lastUsedAt: number;
}

/** What an admitted request took: one token from each of these budgets (given back by `refund`). */
export type RateTokens = readonly WindowBudget[];

export type RateDecision =
  | { allowed: true; state: RateLimitState | null; taken: RateTokens }
  | { allowed: false; state: RateLimitState };

/** The Redis counter of one window period of a subject. */
const counterKey = (subject: string, budget: WindowBudget) => `kw:rl:{${subject}}:${budget.window}:${budget.startMs / 1000}`;

/** Admitted, with nothing counted: no rate limit, or Redis out of reach. */
const UNCOUNTED: RateDecision = { allowed: true, state: null, taken: [] };

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
   * is refused and the others keep their tokens. Answers at once (no promise) while this
   * instance holds tokens of every window; only a reservation from Redis is awaited.
   */
  take(subject: string, windows: readonly RateWindowLimit[], nowMs = Date.now()): RateDecision | Promise<RateDecision> {
    if (windows.length === 0) return UNCOUNTED;
    return takeHeld(this.budgetsOf(this.limiterOf(subject, nowMs), windows, nowMs)) ?? this.takeReserving(subject, windows, nowMs);
  }

  /** Gives back the tokens of a request refused by a later check (a window that rolled over since keeps nothing). */
  refund(taken: RateTokens): void {
    for (const budget of taken) {
      budget.local++;
      budget.takenSinceReserve--;
    }
  }

  /** `take` when some window needs tokens from Redis: one reservation per subject at a time, the others wait for it. */
  private async takeReserving(subject: string, windows: readonly RateWindowLimit[], nowMs: number): Promise<RateDecision> {
    for (;;) {
      const limiter = this.limiterOf(subject, nowMs);
      const budgets = this.budgetsOf(limiter, windows, nowMs);
      const decision = takeHeld(budgets);
      if (decision) return decision;
      if (!limiter.pending) {
        limiter.pending = this.reserve(subject, budgets, nowMs).finally(() => {
          limiter.pending = undefined;
        });
      }
      if (!(await limiter.pending)) return UNCOUNTED;
      nowMs = Date.now();
    }
  }

  /**
   * One Lua call for every window out of tokens. Resolves to
   * false when Redis could not be reached: the caller then admits without counting
   * (limits fail open while Redis is away, as metering does).
   */
  private async reserve(subject: string, budgets: RateTokens, nowMs: number): Promise<boolean> {
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
    const keys = wanted.map(({ budget }) => counterKey(subject, budget));
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
      for (const index of reply.slice(1)) wanted[index - 1].budget.exhausted = true;
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
      limiter = { subject, budgets: new Map(), current: [], currentFromMs: 0, currentUntilMs: 0, lastUsedAt: nowMs };
      this.subjects.set(subject, limiter);
    }
    limiter.lastUsedAt = nowMs;
    return limiter;
  }

  /** The budgets of these windows now: the current ones while none has rolled over and the limits are the same. */
  private budgetsOf(limiter: SubjectLimiter, windows: readonly RateWindowLimit[], nowMs: number): RateTokens {
    if (nowMs >= limiter.currentFromMs && nowMs < limiter.currentUntilMs && sameWindows(limiter.current, windows)) return limiter.current;
    const budgets = windows.map((limit) => this.budgetOf(limiter, limit, nowMs));
    limiter.current = budgets;
    limiter.currentFromMs = Math.max(...budgets.map((budget) => budget.startMs));
    limiter.currentUntilMs = Math.min(...budgets.map((budget) => budget.endMs));
    return budgets;
  }

  /**
   * This window's budget; a new window starts from nothing held. A changed limit keeps
   * only the held tokens it still allows (by this instance's count of what the window
   * has taken), so a lowered limit holds at once; the others go back to the Redis counter,
   * so that a limit raised again later in the window still has them.
   */
  private budgetOf(limiter: SubjectLimiter, { window, limit }: RateWindowLimit, nowMs: number): WindowBudget {
    const startMs = windowStartMs(window, nowMs);
    let budget = limiter.budgets.get(window);
    if (!budget || budget.startMs !== startMs) {
      const endMs = startMs + RATE_WINDOWS[window];
      budget = {
        window,
        limit,
        startMs,
        endMs,
        resetSeconds: endMs / 1000,
        local: 0,
        reservedTotal: 0,
        exhausted: false,
        takenSinceReserve: 0,
        lastReserveAt: nowMs,
      };
      limiter.budgets.set(window, budget);
    } else if (budget.limit !== limit) {
      const takenElsewhereOrHere = budget.reservedTotal - budget.local;
      const kept = Math.min(budget.local, Math.max(0, limit - takenElsewhereOrHere));
      if (kept < budget.local) this.giveBack(limiter.subject, budget, budget.local - kept);
      budget.local = kept;
      budget.limit = limit;
      budget.exhausted = false;
    }
    return budget;
  }

  /**
   * Returns unspent tokens to the window's counter (not awaited). Commands on one
   * connection run in order, so the next reservation sees it. Lost when Redis is away:
   * then the window only admits fewer, never more.
   */
  private giveBack(subject: string, budget: WindowBudget, tokens: number): void {
    budget.reservedTotal -= tokens;
    this.redis.decrby(counterKey(subject, budget), tokens).catch((error: Error) => this.logFailure(error));
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

function sameWindows(budgets: RateTokens, windows: readonly RateWindowLimit[]): boolean {
  if (budgets.length !== windows.length) return false;
  for (let i = 0; i < budgets.length; i++) {
    if (budgets[i].window !== windows[i].window || budgets[i].limit !== windows[i].limit) return false;
  }
  return true;
}

/**
 * One token from each budget, from what this instance holds: the decision, or null when
 * some window holds none and Redis must be asked. A window Redis found used up refuses;
 * when several are, the refusal answers the one that resets last (the request cannot pass
 * before then).
 */
function takeHeld(budgets: RateTokens): RateDecision | null {
  let held = true;
  let refusedBy: WindowBudget | null = null;
  for (const budget of budgets) {
    if (budget.local === 0) {
      if (budget.exhausted && (refusedBy === null || budget.endMs > refusedBy.endMs)) refusedBy = budget;
      held = false;
    }
  }
  if (refusedBy !== null) return { allowed: false, state: { limit: refusedBy.limit, remaining: 0, reset: refusedBy.resetSeconds } };
  if (!held) return null;
  for (const budget of budgets) {
    budget.local--;
    budget.takenSinceReserve++;
  }
  return { allowed: true, state: tightest(budgets), taken: budgets };
}

/**
 * The window closest to running out after this request: fewest remaining, then the
 * later reset. Remaining is this instance's view: the limit minus what all instances had
 * reserved at its last reservation, plus what it still holds.
 */
function tightest(budgets: RateTokens): RateLimitState {
  let best = budgets[0];
  let bestRemaining = remainingOf(best);
  for (let i = 1; i < budgets.length; i++) {
    const budget = budgets[i];
    const remaining = remainingOf(budget);
    if (remaining < bestRemaining || (remaining === bestRemaining && budget.resetSeconds > best.resetSeconds)) {
      best = budget;
      bestRemaining = remaining;
    }
  }
  return { limit: best.limit, remaining: bestRemaining, reset: best.resetSeconds };
}

function remainingOf(budget: WindowBudget): number {
  return Math.max(0, budget.limit - budget.reservedTotal + budget.local);
}
