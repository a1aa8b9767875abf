import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { queuePrefixOf, REDIS, watchRedisErrors } from '@keywarden/platform';
import type { CredentialRecord } from './credential-record';
import { randomUUID } from 'node:crypto';
import { keyInvalidationChannel, type Propagation } from '@keywarden/core';

/**
 * The deployment's pub/sub channels (pub/sub ignores Redis database numbers: the queue
 * namespace keeps deployments sharing a Redis apart).
 * - invalidations: a key id (the worker's containment), or an acknowledged invalidation
 *   as JSON (`{"ack": token, "keyIds": [...]}`);
 * - acks: the token of an acknowledged invalidation, once per instance that dropped its keys;
 * - newSecrets: hashes (hex) of secrets just issued: every instance forgets it ever found them unknown.
 */
export function cacheChannels(namespace: string) {
  return {
    invalidations: keyInvalidationChannel(namespace),
    acks: `${namespace}:key-invalidation-acks`,
    newSecrets: `${namespace}:new-secrets`,
  };
}
const MAX_ENTRIES = 100_000;
/** Unknown presented keys remembered at most (oldest forgotten first). */
const MAX_UNKNOWN = 100_000;
/** Key ids per acknowledged invalidation message (a bulk change sends several). */
const KEY_IDS_PER_MESSAGE = 1_000;

interface AckWaiter {
  acknowledged: number;
  /** Known once every PUBLISH has answered with its receiver count. */
  expected: number;
  settle: () => void;
}

interface AckedInvalidation {
  ack: string;
  keyIds: string[];
}

function ackedInvalidationOf(message: string): AckedInvalidation | null {
  if (!message.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(message) as Partial<AckedInvalidation>;
    return typeof parsed.ack === 'string' && Array.isArray(parsed.keyIds) ? (parsed as AckedInvalidation) : null;
  } catch {
    return null;
  }
}

interface Entry {
  record: CredentialRecord;
  cachedAt: number;
}

/** How long start-up waits for the invalidation subscription before going on without it. */
const SUBSCRIBE_WAIT_MS = 2_000;

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
  /** Acknowledged invalidations this instance sent and still waits for, by token. */
  private readonly awaitingAcks = new Map<string, AckWaiter>();
  private subscriber?: Redis;
  private readonly channels: ReturnType<typeof cacheChannels>;
  /**
   * Bumped on every invalidation: a lookup that started before one must not cache its
   * possibly stale answer.
   */
  private generation = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.channels = cacheChannels(queuePrefixOf(config));
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channels.newSecrets) this.forgetUnknown(message);
      else if (channel === this.channels.acks) this.countAck(message);
      else this.onInvalidation(message);
    });
    // After a reconnect we may have missed messages: start from an empty cache.
    this.subscriber.on('ready', () => this.clear());
    watchRedisErrors(this.subscriber, 'KeyInvalidationSubscriber');
    const subscribed = this.subscriber.subscribe(this.channels.invalidations, this.channels.newSecrets, this.channels.acks).catch((error: Error) => {
      this.logger.warn(`could not subscribe to key invalidations: ${error.message}`);
    });
    // With Redis up the instance starts subscribed; with Redis away it starts anyway, deaf
    // to invalidations (so its cache keeps the degraded TTL) until Redis answers: the
    // subscription is sent then, and renewed after every reconnect.
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([subscribed, new Promise((resolve) => (waited = setTimeout(resolve, SUBSCRIBE_WAIT_MS)))]);
    clearTimeout(waited);
  }

  async onModuleDestroy(): Promise<void> {
    // A QUIT sent while Redis is away would wait in the offline queue for ever.
    if (this.subscriber?.status !== 'ready') return this.subscriber?.disconnect();
    await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
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
      await this.redis.publish(this.channels.newSecrets, hashHex);
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
   * Drops the keys here and on every other instance, and waits (at most
   * `KW_REVOCATION_ACK_TIMEOUT_MS`) until every instance that received the invalidation
   * has confirmed it dropped them: once it resolves with `confirmed`, no live instance
   * answers from a stale entry. The receivers are counted by Redis itself (PUBLISH
   * answers how many subscribers got the message, this instance included). When the
   * broadcast fails the other instances converge within their degraded TTL (they cannot
   * hear Redis either) or, at worst, their normal TTL.
   */
  async invalidate(keyIds: string[]): Promise<Propagation> {
    for (const keyId of keyIds) this.dropLocal(keyId);
    if (keyIds.length === 0) return { confirmed: true, instances: 0, acknowledged: 0 };
    const ack = randomUUID();
    let settle = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const waiter: AckWaiter = { acknowledged: 0, expected: Number.POSITIVE_INFINITY, settle };
    this.awaitingAcks.set(ack, waiter);
    const timer = setTimeout(settle, this.config.revocationAckTimeoutMs);
    try {
      const messages: string[] = [];
      for (let start = 0; start < keyIds.length; start += KEY_IDS_PER_MESSAGE) {
        messages.push(JSON.stringify({ ack, keyIds: keyIds.slice(start, start + KEY_IDS_PER_MESSAGE) } satisfies AckedInvalidation));
      }
      const receivers = await Promise.all(messages.map((message) => this.redis.publish(this.channels.invalidations, message)));
      waiter.expected = receivers.reduce((sum, count) => sum + count, 0);
      if (waiter.acknowledged >= waiter.expected) settle();
      await settled;
      const instances = Math.round(waiter.expected / messages.length);
      const acknowledged = Math.floor(Math.min(waiter.acknowledged, waiter.expected) / messages.length);
      return { confirmed: waiter.acknowledged >= waiter.expected, instances, acknowledged };
    } catch (error) {
      this.logger.warn(
        `could not broadcast key invalidation (${keyIds.length} keys); other instances converge within KW_KEY_CACHE_DEGRADED_TTL_MS of losing Redis, at worst KW_KEY_CACHE_TTL_MS: ${(error as Error).message}`,
      );
      return { confirmed: false, instances: 0, acknowledged: 0 };
    } finally {
      clearTimeout(timer);
      this.awaitingAcks.delete(ack);
    }
  }

  /** A key id (no confirmation asked), or an acknowledged invalidation: drop, then confirm. */
  private onInvalidation(message: string): void {
    const acked = ackedInvalidationOf(message);
    if (!acked) {
      this.dropLocal(message);
      return;
    }
    for (const keyId of acked.keyIds) this.dropLocal(keyId);
    this.redis.publish(this.channels.acks, acked.ack).catch((error: Error) => {
      this.logger.warn(`could not confirm a key invalidation; its sender reports it unconfirmed: ${error.message}`);
    });
  }

  private countAck(ack: string): void {
    const waiter = this.awaitingAcks.get(ack);
    if (!waiter) return;
    waiter.acknowledged++;
    if (waiter.acknowledged >= waiter.expected) waiter.settle();
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
