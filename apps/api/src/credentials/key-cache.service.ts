import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { REDIS } from '@keywarden/platform';
import type { CredentialRecord } from './credential-record';
import { KEY_INVALIDATION_CHANNEL } from '@keywarden/core';

const MAX_ENTRIES = 100_000;

interface Entry {
  record: CredentialRecord;
  cachedAt: number;
}

/**
 * Per-process cache of resolved credentials by presented key. Changes to a key are
 * broadcast over Redis pub/sub so every instance drops it at once; the TTL bounds
 * staleness if a message is ever missed.
 */
@Injectable()
export class KeyCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyCacheService.name);
  private readonly entries = new Map<string, Entry>();
  private readonly cacheKeysByKeyId = new Map<string, Set<string>>();
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
    this.subscriber.on('message', (_channel: string, keyId: string) => this.dropLocal(keyId));
    // After a reconnect we may have missed messages: start from an empty cache.
    this.subscriber.on('ready', () => this.clear());
    this.subscriber.on('error', (error: Error) => this.logger.warn(`invalidation subscriber: ${error.message}`));
    await this.subscriber.subscribe(KEY_INVALIDATION_CHANNEL);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  currentGeneration(): number {
    return this.generation;
  }

  get(cacheKey: string, now = Date.now()): CredentialRecord | undefined {
    const entry = this.entries.get(cacheKey);
    if (!entry) return undefined;
    if (now - entry.cachedAt >= this.config.keyCacheTtlMs) {
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

  /** Drops the key here and tells every other instance to drop it too. */
  async invalidate(keyIds: string[]): Promise<void> {
    for (const keyId of keyIds) this.dropLocal(keyId);
    try {
      await Promise.all(keyIds.map((keyId) => this.redis.publish(KEY_INVALIDATION_CHANNEL, keyId)));
    } catch (error) {
      this.logger.warn(`could not broadcast key invalidation, other instances converge within the cache TTL: ${(error as Error).message}`);
    }
  }

  private dropLocal(keyId: string): void {
    this.generation++;
    for (const cacheKey of this.cacheKeysByKeyId.get(keyId) ?? []) this.entries.delete(cacheKey);
    this.cacheKeysByKeyId.delete(keyId);
  }

  private clear(): void {
    this.generation++;
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
