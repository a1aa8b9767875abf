import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { microsToCost, reservationWant, type UsageLimitReachedData, utcDay } from '@keywarden/core';
import { countedReportedRequests, recordWebhookEvent } from '@keywarden/db';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimiterService } from './rate-limiter.service';
import { withPolicyScripts } from './redis-scripts';

export interface SpendHolder {
  workspaceId: string;
  appId: string;
  keyId: string;
  /** The customer holding the key, whose cap all its keys share. */
  customerId: string | null;
}

/** Whose daily cap: the key's own, or the one its customer's keys share. */
export type SpendLimitOf = 'key' | 'customer';

/** One key's (or customer's) spend on one UTC day, as this instance sees it. */
interface SpendEntry extends SpendHolder {
  limitOf: SpendLimitOf;
  /** The key id or the customer id: what the Redis counter is kept for. */
  subjectId: string;
  day: string;
  /** The daily cap when known here (micro-units). */
  capMicros: number | null;
  /** The Redis counter as last seen: budget reserved by every instance, plus reported spend. */
  total: number;
  /** Reserved here and not spent yet: admits requests without asking Redis. */
  local: number;
  /** Spent from reservations since the last one (sizes the next). */
  spentSinceReserve: number;
  lastReserveAt: number;
  /** Added without a reservation (reports, verifies while Redis was away) and not pushed yet. */
  pending: number;
  /** Pushed, with no answer yet: not in `total`, no longer in `pending`. */
  inFlight: number;
  known: boolean;
  /** The first read or a reservation in flight: concurrent requests wait for it. */
  loading?: Promise<boolean>;
  expirySet: boolean;
  eventRecorded: boolean;
  lastUsedAt: number;
}

/** What an admitted request took from a cap, so that a later refusal can give it back. */
export interface SpendTaken {
  readonly entry: SpendEntry;
  readonly micros: number;
  /** false: admitted while Redis could not be reached, counted as pending spend. */
  readonly reserved: boolean;
}

/**
 * A customer's cap names the key that spent last: the one that reached it, not a key
 * refused (or admitted without a cost) after it.
 */
function spentBy(taken: SpendTaken | null, holder: SpendHolder): SpendTaken | null {
  if (taken !== null && taken.micros > 0) nameSpender(taken.entry, holder);
  return taken;
}

function nameSpender(entry: SpendEntry, holder: SpendHolder): void {
  entry.keyId = holder.keyId;
  entry.appId = holder.appId;
}

export interface ReportedSpend {
  holder: SpendHolder;
  micros: number;
  capMicros: number | null;
  /** The customer's shared cap, when the key has a customer. */
  customerCapMicros: number | null;
  atMs: number;
}

/** What claiming a reported requestId found: the first report of it, a replay, or no Redis to tell. */
export type ReportClaim = 'claimed' | 'replay' | 'unknown';

/**
 * The day's spend as this instance knows it: the counter (every instance's reservations),
 * what it has not pushed yet and what is in flight, less the slice it holds unspent.
 */
function spentOrHeldElsewhere(entry: SpendEntry): number {
  return entry.total - entry.local + entry.pending + entry.inFlight;
}

const spendKey = (subjectId: string, day: string) => `kw:spend:{${subjectId}}:${day}`;
const reportKey = (workspaceId: string, requestId: string) => `kw:spend-report:${workspaceId}:${requestId}`;
const SPEND_TTL_MS = 2 * 86_400_000;
/** Entries nobody touched for this long stop being refreshed. */
const IDLE_MS = 2 * 60_000;

/**
 * Daily spend caps per key, and per customer over all its keys (UTC), reserved before
 * admitting, as rate limits are. The Redis counter of a key (or customer) and day holds
 * the budget every instance reserved plus reported spend. An instance reserves a slice
 * with one atomic Lua call (never past the cap: see RESERVE_SPEND), admits verifies from
 * memory while the slice covers their `cost`, and reserves again when it does not; a
 * request refused by a later check gives its cost back to the slice. Slices are sized by
 * the instance's own recent spend (`KW_RATE_LIMIT_HOLD_MS` of it) and capped by a fair
 * share of what remains, so far from the cap few verifies need Redis and near it every
 * grant is one request's cost: admitted spend stays within the cap plus the one request
 * that crosses it. What an instance holds unspent is given back once the entry has been
 * quiet for a sync interval (and at shutdown).
 *
 * Every `KW_SPEND_SYNC_MS` one pipeline pushes reported spend (INCRBY), gives back quiet
 * slices, and reads the counters of capped entries in use (so that a raised cap or
 * budget given back elsewhere is seen). Once a counter reaches its cap,
 * `usage.limit_reached` is recorded (once per key or customer and day: the outbox's
 * dedupe key makes a second instance's attempt a no-op). Without Redis, caps fail open:
 * the request is admitted and its cost pushed later.
 */
@Injectable()
export class SpendService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpendService.name);
  private readonly entries = new Map<string, SpendEntry>();
  /**
   * Each key's (and customer's) entry used last, by subject id: today's, found without
   * building the `subject:day` id on every verify. Holds only entries of `entries`.
   */
  private readonly lastEntries = new Map<string, SpendEntry>();
  private readonly redis: Redis;
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private lastFailureLogAt = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) redis: Redis,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    private readonly limiter: RateLimiterService,
  ) {
    this.redis = withPolicyScripts(redis);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sync(), this.config.policy.spendSyncMs);
    this.timer.unref();
  }

  /** Pushes what is still pending and gives back every unspent slice before the process exits. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    await this.syncOnce(true);
  }

  /**
   * Takes `micros` from today's budget under `capMicros`, or refuses (null) once the
   * counter has reached the cap. A request without a cost is admitted while the counter is
   * below the cap: a fragment of a slice this instance still holds, smaller than any cost,
   * does not keep a capped key usable. Answers at once (no promise) when this instance's
   * slice decides; only a read or a reservation in Redis is awaited.
   */
  take(
    holder: SpendHolder,
    capMicros: number,
    micros: number,
    limitOf: SpendLimitOf = 'key',
  ): SpendTaken | null | Promise<SpendTaken | null> {
    const nowMs = Date.now();
    const entry = this.entryOf(holder, limitOf, utcDay(nowMs), nowMs);
    this.capEntry(entry, capMicros);
    const held = this.takeHeld(entry, capMicros, micros);
    if (held === undefined) return this.takeReserving(holder, capMicros, micros, limitOf).then((taken) => spentBy(taken, holder));
    return spentBy(held, holder);
  }

  /** `take` when Redis must be asked: one read or reservation per entry at a time, the others wait for it. */
  private async takeReserving(holder: SpendHolder, capMicros: number, micros: number, limitOf: SpendLimitOf): Promise<SpendTaken | null> {
    for (;;) {
      const nowMs = Date.now();
      const entry = this.entryOf(holder, limitOf, utcDay(nowMs), nowMs);
      this.capEntry(entry, capMicros);
      const held = this.takeHeld(entry, capMicros, micros);
      if (held !== undefined) return held;
      if (entry.loading) {
        if (!(await entry.loading)) return this.takeUnreserved(entry, micros);
        continue;
      }
      entry.loading = micros === 0 ? this.load(entry) : this.reserve(entry, micros - entry.local, nowMs);
      void entry.loading.finally(() => {
        entry.loading = undefined;
      });
    }
  }

  /**
   * What this instance decides on its own: the spend taken from its slice, null when the
   * counter is known to have reached the cap, undefined when Redis must be asked (or is
   * being asked).
   */
  private takeHeld(entry: SpendEntry, capMicros: number, micros: number): SpendTaken | null | undefined {
    if (micros > 0 && entry.local >= micros) {
      entry.local -= micros;
      entry.spentSinceReserve += micros;
      return { entry, micros, reserved: true };
    }
    if (entry.loading || !entry.known) return undefined;
    // What decides is whether the day's spend has reached the cap, and the slice this
    // instance holds unspent (given back by a request that a later check refused, say) is
    // not spend: a request it does not cover asks Redis for the rest (see RESERVE_SPEND).
    if (this.exhausted(entry, capMicros)) return null;
    return micros === 0 ? { entry, micros, reserved: true } : undefined;
  }

  /** Gives back what a request refused by a later check took. */
  refund(taken: SpendTaken): void {
    if (!taken.reserved) {
      taken.entry.pending -= taken.micros;
      return;
    }
    taken.entry.local += taken.micros;
    taken.entry.spentSinceReserve -= taken.micros;
  }

  /** Adds spend at `atMs` (its UTC day) to the key's or the customer's total; pushed with the next sync. */
  add(holder: SpendHolder, micros: number, capMicros: number | null, atMs = Date.now(), limitOf: SpendLimitOf = 'key'): void {
    if (micros <= 0) return;
    if (limitOf === 'customer' && holder.customerId === null) return;
    const entry = this.entryOf(holder, limitOf, utcDay(atMs), Date.now());
    if (capMicros !== null) this.capEntry(entry, capMicros);
    entry.pending += micros;
    nameSpender(entry, holder);
  }

  /**
   * The requestIds among `requestIds` that the rollups have already counted: a report
   * naming one again is a replay, never charged. Read before the report's own events are
   * recorded (a worker quick enough would otherwise find the report itself). Without the
   * database, none (the cap fails open).
   */
  async countedReports(workspaceId: string, requestIds: string[]): Promise<Set<string>> {
    try {
      return await countedReportedRequests(this.dataSource, workspaceId, requestIds);
    } catch (error) {
      this.logger.warn(`could not look up reported requests already counted, counting them: ${(error as Error).message}`);
      return new Set();
    }
  }

  /**
   * Claims each reported item's requestId for the first report of it (SET NX, kept 2 days),
   * in one round trip and in order, so that a requestId named twice in one report is
   * claimed by its first item. Per item: `claimed`, `replay` (another report, or an earlier
   * item, holds it), or `unknown` without Redis.
   */
  async claimReports(workspaceId: string, requestIds: string[]): Promise<ReportClaim[]> {
    try {
      const pipeline = this.redis.pipeline();
      for (const requestId of requestIds) pipeline.set(reportKey(workspaceId, requestId), '1', 'PX', SPEND_TTL_MS, 'NX');
      const replies = ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
      return replies.map(([error, reply]) => (error !== null ? 'unknown' : reply === 'OK' ? 'claimed' : 'replay'));
    } catch (error) {
      this.logger.warn(`could not claim reported requestIds, taking every item: ${(error as Error).message}`);
      return requestIds.map(() => 'unknown');
    }
  }

  /** Gives back claims of a report that was not taken after all, so that its retry is not a replay. */
  async releaseReports(workspaceId: string, requestIds: string[]): Promise<void> {
    if (requestIds.length === 0) return;
    try {
      await this.redis.del(...requestIds.map((requestId) => reportKey(workspaceId, requestId)));
    } catch (error) {
      this.logger.warn(`could not release the claims of a refused report: ${(error as Error).message}`);
    }
  }

  /** Charges reported spend (POST /v1/usage) to the key's and its customer's caps: first reports only (see UsageService.report). */
  addReported(items: ReportedSpend[]): void {
    for (const item of items) {
      if (item.micros <= 0) continue;
      this.add(item.holder, item.micros, item.capMicros, item.atMs);
      this.add(item.holder, item.micros, item.customerCapMicros, item.atMs, 'customer');
    }
  }

  /** One pipeline: push pending spend and give back quiet slices (INCRBY), read the capped counters still in use. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOnce(shuttingDown = false): Promise<void> {
    const now = Date.now();
    const today = utcDay(now);
    const batch: Array<{ entry: SpendEntry; sent: number }> = [];
    const pipeline = this.redis.pipeline();
    for (const [id, entry] of this.entries) {
      const quiet = now - entry.lastUsedAt > this.config.policy.spendSyncMs;
      const idle = now - entry.lastUsedAt > IDLE_MS;
      // A past day's counter no longer admits anything: what was held for it is simply dropped.
      if (entry.pending === 0 && (entry.day !== today || (idle && entry.local === 0))) {
        this.entries.delete(id);
        if (this.lastEntries.get(entry.subjectId) === entry) this.lastEntries.delete(entry.subjectId);
        continue;
      }
      if (entry.loading) continue;
      const giveBack = entry.day === today && (quiet || shuttingDown) ? entry.local : 0;
      if (entry.pending === 0 && giveBack === 0 && entry.capMicros === null) continue;
      const key = spendKey(entry.subjectId, entry.day);
      // A give-back whose answer is lost is not held again: at worst budget is lost, never doubled.
      entry.local -= giveBack;
      const sent = entry.pending;
      entry.pending = 0;
      entry.inFlight += sent;
      if (sent !== 0 || giveBack > 0) pipeline.incrby(key, sent - giveBack);
      else pipeline.get(key);
      if (sent > 0 && !entry.expirySet) pipeline.pexpire(key, SPEND_TTL_MS);
      batch.push({ entry, sent });
    }
    if (batch.length === 0) return;
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
    } catch (error) {
      for (const { entry, sent } of batch) {
        entry.inFlight -= sent;
        entry.pending += sent;
      }
      this.logFailure('spend sync failed, retrying', error as Error);
      return;
    }
    this.metrics.spendSyncs.inc();
    let reply = 0;
    for (const { entry, sent } of batch) {
      const [error, total] = replies[reply++];
      if (sent > 0 && !entry.expirySet) {
        entry.expirySet = replies[reply++][0] === null;
      }
      entry.inFlight -= sent;
      if (error) {
        entry.pending += sent;
        continue;
      }
      entry.total = Number(total ?? 0);
      entry.known = true;
    }
    await Promise.all(batch.map(({ entry }) => this.recordLimitReached(entry)));
  }

  /**
   * Sets the cap an entry is held to. A lowered cap holds at once: the slice reserved here
   * keeps only what the new cap still allows after the spend this instance knows of. The
   * rest goes back to the day's counter (not awaited: commands on one connection run in
   * order, so the next reservation sees it), so that a cap raised again later that day
   * still has it. Lost when Redis is away: then the cap admits less, never more.
   */
  private capEntry(entry: SpendEntry, capMicros: number): void {
    if (entry.capMicros === capMicros) return;
    const kept = Math.min(entry.local, Math.max(0, capMicros - spentOrHeldElsewhere(entry)));
    const givenBack = entry.local - kept;
    entry.local = kept;
    entry.capMicros = capMicros;
    if (givenBack > 0) {
      entry.total -= givenBack;
      this.redis.decrby(spendKey(entry.subjectId, entry.day), givenBack).catch((error: Error) => this.logFailure('spend give-back failed', error));
    }
  }

  /**
   * Whether today's spend has reached the cap: the counter with what this instance has not
   * pushed yet, less the slice it holds unspent.
   */
  private exhausted(entry: SpendEntry, capMicros: number): boolean {
    return spentOrHeldElsewhere(entry) >= capMicros;
  }

  /** Admitted without a reservation (Redis unreachable): the cost is pushed with the next sync. */
  private takeUnreserved(entry: SpendEntry, micros: number): SpendTaken {
    entry.pending += micros;
    return { entry, micros, reserved: false };
  }

  /** Reads today's counter. Resolves to false when Redis could not be reached. */
  private async load(entry: SpendEntry): Promise<boolean> {
    try {
      entry.total = Number((await this.redis.get(spendKey(entry.subjectId, entry.day))) ?? 0);
      entry.known = true;
      return true;
    } catch (error) {
      // Unknown spend does not block traffic; the next check reads again.
      this.logFailure('spend read failed, admitting', error as Error);
      return false;
    }
  }

  /**
   * One Lua call: at least `neededMicros` (what the waiting request lacks), plus a block
   * sized by this instance's recent spend. Resolves to false when Redis could not be reached.
   */
  private async reserve(entry: SpendEntry, neededMicros: number, nowMs: number): Promise<boolean> {
    const block = reservationWant({
      taken: entry.spentSinceReserve,
      elapsedMs: nowMs - entry.lastReserveAt,
      holdMs: this.config.policy.reservationHoldMs,
      maxBlock: Number.MAX_SAFE_INTEGER,
    });
    let reply: number[];
    try {
      reply = await this.redis.kwReserveSpend(
        spendKey(entry.subjectId, entry.day),
        entry.capMicros as number,
        neededMicros,
        neededMicros + block,
        this.limiter.instances,
        SPEND_TTL_MS,
        entry.local,
      );
    } catch (error) {
      this.metrics.spendReservations.inc({ outcome: 'error' });
      this.logFailure('spend caps cannot reach Redis, admitting without a reservation', error as Error);
      return false;
    }
    entry.known = true;
    entry.expirySet = true;
    if (reply[0] === 0) {
      this.metrics.spendReservations.inc({ outcome: 'exhausted' });
      entry.total = reply[1];
      return true;
    }
    this.metrics.spendReservations.inc({ outcome: 'granted' });
    entry.local += reply[1];
    entry.total = reply[2];
    entry.spentSinceReserve = 0;
    entry.lastReserveAt = nowMs;
    return true;
  }

  private logFailure(message: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < 10_000) return;
    this.lastFailureLogAt = now;
    this.logger.warn(`${message}: ${error.message}`);
  }

  /**
   * The counter less what this instance holds unspent: a slice reserved for a request that
   * a later check refused (or for requests that never came) is not spend, and goes back.
   */
  private async recordLimitReached(entry: SpendEntry): Promise<void> {
    const spent = entry.total - entry.local;
    if (entry.eventRecorded || entry.capMicros === null || spent < entry.capMicros) return;
    const data: UsageLimitReachedData = {
      limitOf: entry.limitOf,
      keyId: entry.keyId,
      appId: entry.appId,
      customerId: entry.customerId,
      day: entry.day,
      spent: microsToCost(spent),
      limit: microsToCost(entry.capMicros),
    };
    try {
      await this.dataSource.transaction((manager) =>
        recordWebhookEvent(manager, {
          workspaceId: entry.workspaceId,
          appId: entry.appId,
          customerId: entry.customerId,
          type: 'usage.limit_reached',
          data,
          dedupeKey: `usage.limit_reached:${entry.subjectId}:${entry.day}`,
        }),
      );
      entry.eventRecorded = true;
    } catch (error) {
      this.logger.warn(`could not record usage.limit_reached for ${entry.subjectId}, retrying: ${(error as Error).message}`);
    }
  }

  private entryOf(holder: SpendHolder, limitOf: SpendLimitOf, day: string, nowMs: number): SpendEntry {
    const subjectId = limitOf === 'customer' ? (holder.customerId as string) : holder.keyId;
    let entry = this.lastEntries.get(subjectId);
    if (entry === undefined || entry.day !== day) entry = this.entryOfDay(holder, limitOf, subjectId, day, nowMs);
    entry.lastUsedAt = nowMs;
    // A key's cap names the customer the key belongs to now (it may have moved since the
    // day began); a customer's names the key that spent last (`spentBy`).
    entry.customerId = holder.customerId;
    return entry;
  }

  private entryOfDay(holder: SpendHolder, limitOf: SpendLimitOf, subjectId: string, day: string, nowMs: number): SpendEntry {
    const id = `${subjectId}:${day}`;
    let entry = this.entries.get(id);
    if (!entry) {
      entry = {
        workspaceId: holder.workspaceId,
        appId: holder.appId,
        keyId: holder.keyId,
        customerId: holder.customerId,
        limitOf,
        subjectId,
        day,
        capMicros: null,
        total: 0,
        local: 0,
        spentSinceReserve: 0,
        lastReserveAt: nowMs,
        pending: 0,
        inFlight: 0,
        known: false,
        expirySet: false,
        eventRecorded: false,
        lastUsedAt: nowMs,
      };
      this.entries.set(id, entry);
    }
    this.lastEntries.set(subjectId, entry);
    return entry;
  }
}
