import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { microsToCost, type UsageLimitReachedData, utcDay } from '@keywarden/core';
import { recordWebhookEvent } from '@keywarden/db';
import { REDIS } from '@keywarden/platform';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';

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
  /** The key's daily cap when known here (micro-units). */
  capMicros: number | null;
  /** Today's total in Redis as of the last sync (all instances). */
  synced: number;
  /** Added here and not pushed yet. */
  pending: number;
  /** Pushed, with no answer yet: not in `synced`, no longer in `pending`. */
  inFlight: number;
  known: boolean;
  loading?: Promise<void>;
  expirySet: boolean;
  eventRecorded: boolean;
  lastUsedAt: number;
}

export interface ReportedSpend {
  holder: SpendHolder;
  micros: number;
  capMicros: number | null;
  /** The customer's shared cap, when the key has a customer. */
  customerCapMicros: number | null;
  atMs: number;
  requestId: string;
}

const spendKey = (subjectId: string, day: string) => `kw:spend:{${subjectId}}:${day}`;
const reportKey = (workspaceId: string, requestId: string) => `kw:spend-report:${workspaceId}:${requestId}`;
const SPEND_TTL_MS = 2 * 86_400_000;
/** Entries nobody touched for this long stop being refreshed. */
const IDLE_MS = 2 * 60_000;

/**
 * Daily spend per key, and per customer over all its keys (UTC), from `cost` on verify and
 * on reports, counted local-first:
 * amounts are added in memory and pushed to a Redis counter (INCRBY) every
 * `KW_SPEND_SYNC_MS`, which also reads back what the other instances spent. A cap is
 * checked against that total plus what this instance has not pushed yet. Once a key's
 * total reaches its cap, `usage.limit_reached` is recorded (once per key and day: the
 * outbox's dedupe key makes a second instance's attempt a no-op).
 */
@Injectable()
export class SpendService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SpendService.name);
  private readonly entries = new Map<string, SpendEntry>();
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sync(), this.config.policy.spendSyncMs);
    this.timer.unref();
  }

  /** Pushes what is still pending before the process exits. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sync();
  }

  /** Whether today's spend has reached the cap (first use of a key or customer here reads Redis once). */
  async capReached(holder: SpendHolder, capMicros: number, nowMs = Date.now(), limitOf: SpendLimitOf = 'key'): Promise<boolean> {
    const entry = this.entryOf(holder, limitOf, utcDay(nowMs), nowMs);
    entry.capMicros = capMicros;
    if (!entry.known) {
      entry.loading ??= this.load(entry).finally(() => {
        entry.loading = undefined;
      });
      await entry.loading;
    }
    return entry.synced + entry.inFlight + entry.pending >= capMicros;
  }

  /** Adds spend at `atMs` (its UTC day) to the key's or the customer's total; pushed with the next sync. */
  add(holder: SpendHolder, micros: number, capMicros: number | null, atMs = Date.now(), limitOf: SpendLimitOf = 'key'): void {
    if (micros <= 0) return;
    if (limitOf === 'customer' && holder.customerId === null) return;
    const entry = this.entryOf(holder, limitOf, utcDay(atMs), Date.now());
    if (capMicros !== null) entry.capMicros = capMicros;
    entry.pending += micros;
  }

  /**
   * Reported spend (POST /v1/usage), counted once per requestId like the usage itself: one
   * SET NX per item with a cost, in one round trip. Without Redis the items are counted.
   */
  async addReported(workspaceId: string, items: ReportedSpend[]): Promise<void> {
    const costly = items.filter((item) => item.micros > 0);
    if (costly.length === 0) return;
    let fresh: boolean[] = costly.map(() => true);
    try {
      const pipeline = this.redis.pipeline();
      for (const item of costly) pipeline.set(reportKey(workspaceId, item.requestId), '1', 'PX', SPEND_TTL_MS, 'NX');
      const replies = ((await pipeline.exec()) ?? []) as Array<[Error | null, unknown]>;
      fresh = replies.map(([error, reply]) => error !== null || reply === 'OK');
    } catch (error) {
      this.logger.warn(`could not deduplicate reported spend, counting it: ${(error as Error).message}`);
    }
    costly.forEach((item, index) => {
      if (!fresh[index]) return;
      this.add(item.holder, item.micros, item.capMicros, item.atMs);
      this.add(item.holder, item.micros, item.customerCapMicros, item.atMs, 'customer');
    });
  }

  /** One pipeline: INCRBY what is pending, GET the capped keys still in use. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const now = Date.now();
    const today = utcDay(now);
    const batch: Array<{ entry: SpendEntry; sent: number }> = [];
    const pipeline = this.redis.pipeline();
    for (const [id, entry] of this.entries) {
      const idle = now - entry.lastUsedAt > IDLE_MS;
      if (entry.pending === 0 && (entry.day !== today || idle)) {
        this.entries.delete(id);
        continue;
      }
      if (entry.pending === 0 && (entry.capMicros === null || entry.loading)) continue;
      const key = spendKey(entry.subjectId, entry.day);
      const sent = entry.pending;
      entry.pending = 0;
      entry.inFlight += sent;
      if (sent > 0) pipeline.incrby(key, sent);
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
      this.logger.warn(`spend sync failed, retrying: ${(error as Error).message}`);
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
      entry.synced = Number(total ?? 0);
      entry.known = true;
    }
    await Promise.all(batch.map(({ entry }) => this.recordLimitReached(entry)));
  }

  private async load(entry: SpendEntry): Promise<void> {
    try {
      entry.synced = Number((await this.redis.get(spendKey(entry.subjectId, entry.day))) ?? 0);
      entry.known = true;
    } catch (error) {
      // Unknown spend does not block traffic; the next check reads again.
      this.logger.warn(`spend read failed: ${(error as Error).message}`);
    }
  }

  private async recordLimitReached(entry: SpendEntry): Promise<void> {
    if (entry.eventRecorded || entry.capMicros === null || entry.synced < entry.capMicros) return;
    const data: UsageLimitReachedData = {
      limitOf: entry.limitOf,
      keyId: entry.keyId,
      appId: entry.appId,
      customerId: entry.customerId,
      day: entry.day,
      spent: microsToCost(entry.synced),
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
        synced: 0,
        pending: 0,
        inFlight: 0,
        known: false,
        expirySet: false,
        eventRecorded: false,
        lastUsedAt: nowMs,
      };
      this.entries.set(id, entry);
    }
    entry.lastUsedAt = nowMs;
    // A customer's cap names the key that spent last: the one that reached it.
    entry.keyId = holder.keyId;
    entry.appId = holder.appId;
    return entry;
  }
}
