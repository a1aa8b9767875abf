import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS, watchRedisErrors } from '@keywarden/platform';
import type { CredentialRecord } from './credential-record';
import { KEY_INVALIDATION_CHANNEL } from '@keywarden/core';

/** Hashes (hex) of secrets just issued: every instance forgets it ever found them unknown. */
export const NEW_SECRET_CHANNEL = 'keywarden:new-secrets';
const MAX_ENTRIES = 100_000;
/** Unknown presented keys remembered at most (oldest forgotten first). */
const MAX_UNKNOWN = 100_000;

interface Entry {
  record: CredentialRecord;
  cachedAt: number;
}

/**
 * Per-process cache of resolved credentials by presented key. Changes to a key are
 * broadcast over Redis pub/sub so every instance drops it at once; the TTL bounds
 * staleness if a message is ever missed. While this instance cannot hear the broadcasts
 * (its subscriber connection is down), entries live at most `KW_KEY_CACHE_DEGRADED_TTL_MS`
 * instead: a revocation made elsewhere during a Redis outage is seen within that time. A
 * connection that hangs without closing is noticed only by TCP keepalive, so there the
 * bound is the normal TTL.
 *
 * Unknown keys are remembered too (by secret hash, bounded, same TTLs), so a flood of one
 * unknown key costs one database query per TTL. Issuing a secret (create, rotate)
 * broadcasts its hash and every instance forgets it; a lookup that started before that
 * does not record its "unknown".
 */
@Injectable()
export class KeyCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyCacheService.name);
  private readonly entries = new Map<string, Entry>();
  private readonly cacheKeysByKeyId = new Map<string, Set<string>>();
  private readonly unknown = new Map<string, number>();
  private subscriber?: Redis;
  /**
   * Bumped on every invalidation: a lookup that started before one must not cache its
   * possibly stale answer.
   */
  private generation = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === NEW_SECRET_CHANNEL) this.forgetUnknown(message);
      else this.dropLocal(message);
    });
    // After a reconnect we may have missed messages: start from an empty cache.
    this.subscriber.on('ready', () => this.clear());
    watchRedisErrors(this.subscriber, 'KeyInvalidationSubscriber');
    await this.subscriber.subscribe(KEY_INVALIDATION_CHANNEL, NEW_SECRET_CHANNEL);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Whether broadcasts from other instances reach this one right now. */
  hearsInvalidations(): boolean {
    return this.subscriber?.status === 'ready';
  }

  /** The TTL in force: the configured one, or the degraded one while deaf to broadcasts. */
  ttlMs(): number {
    const ttl = this.config.keyCacheTtlMs;
    return this.hearsInvalidations() ? ttl : Math.min(ttl, this.config.keyCacheDegradedTtlMs);
  }

  /** Whether this secret hash was found unknown within the TTL. */
  isKnownUnknown(hashHex: string, now = Date.now()): boolean {
    const cachedAt = this.unknown.get(hashHex);
    if (cachedAt === undefined) return false;
    if (now - cachedAt >= this.ttlMs()) {
      this.unknown.delete(hashHex);
      return false;
    }
    return true;
  }

  rememberUnknown(hashHex: string, startedAtGeneration: number): void {
    if (startedAtGeneration !== this.generation || this.config.keyCacheTtlMs === 0) return;
    if (this.unknown.size >= MAX_UNKNOWN) {
      const oldest = this.unknown.keys().next();
      if (!oldest.done) this.unknown.delete(oldest.value);
    }
    this.unknown.set(hashHex, Date.now());
  }

  /** A secret was issued: no instance may still call it unknown. */
  async announceNewSecret(hashHex: string): Promise<void> {
    this.forgetUnknown(hashHex);
    try {
      await this.redis.publish(NEW_SECRET_CHANNEL, hashHex);
    } catch (error) {
      this.logger.warn(`could not broadcast a new secret, other instances learn it within the cache TTL: ${(error as Error).message}`);
    }
  }

  private forgetUnknown(hashHex: string): void {
    this.generation++;
    this.unknown.delete(hashHex);
  }

  currentGeneration(): number {
    return this.generation;
  }

  get(cacheKey: string, now = Date.now()): CredentialRecord | undefined {
    const entry = this.entries.get(cacheKey);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= this.ttlMs()) {
      this.delete(cacheKey);
      return undefined;
    }
    return entry.record;
  }

  set(cacheKey: string, record: CredentialRecord, startedAtGeneration: number): void {
    if (startedAtGeneration !== this.generation || this.config.keyCacheTtlMs === 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.evictOldest();
    this.entries.set(cacheKey, { record, cachedAt: Date.now() });
    let cacheKeys = this.cacheKeysByKeyId.get(record.keyId);
    if (!cacheKeys) this.cacheKeysByKeyId.set(record.keyId, (cacheKeys = new Set()));
    cacheKeys.add(cacheKey);
  }

  /**
   * Drops the key here and tells every other instance to drop it too. Resolves to false
   * when the broadcast failed: the other instances then converge within their degraded
   * TTL (they cannot hear Redis either) or, at worst, their normal TTL.
   */
  async invalidate(keyIds: string[]): Promise<boolean> {
    for (const keyId of keyIds) this.dropLocal(keyId);
    try {
      await Promise.all(keyIds.map((keyId) => this.redis.publish(KEY_INVALIDATION_CHANNEL, keyId)));
      return true;
    } catch (error) {
      this.logger.warn(
        `could not broadcast key invalidation (${keyIds.length} keys); other instances converge within KW_KEY_CACHE_DEGRADED_TTL_MS of losing Redis, at worst KW_KEY_CACHE_TTL_MS: ${(error as Error).message}`,
      );
      return false;
    }
  }

  private dropLocal(keyId: string): void {
    this.generation++;
    for (const cacheKey of this.cacheKeysByKeyId.get(keyId) ?? []) this.entries.delete(cacheKey);
    this.cacheKeysByKeyId.delete(keyId);
  }

  private clear(): void {
    this.generation++;
    this.unknown.clear();
    this.entries.clear();
    this.cacheKeysByKeyId.clear();
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.delete(oldest.value);
  }

  private delete(cacheKey: string): void {
    const entry = this.entries.get(cacheKey);
    if (!entry) return;
    this.entries.delete(cacheKey);
    const cacheKeys = this.cacheKeysByKeyId.get(entry.record.keyId);
    cacheKeys?.delete(cacheKey);
    if (cacheKeys?.size === 0) this.cacheKeysByKeyId.delete(entry.record.keyId);
  }
}
