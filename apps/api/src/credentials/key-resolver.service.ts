import { Inject, Injectable } from '@nestjs/common';
import { keyStateAt, type KeyState } from '@keywarden/core';
import { credentialByKeyId, credentialBySecretHash, withinDeadline } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { CanaryAlarm, type DescribeUse } from '../canaries/canary-alarm.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { type CredentialRecord, effectiveStatus, rotationDeadlineOf } from './credential-record';
import { KeyCacheService } from './key-cache.service';
import { KeyMaterialService } from './key-material.service';

/** An uncached key lookup waits at most this long (as long as opening a database connection may). */
const KEY_LOOKUP_DEADLINE_MS = 5_000;

export type Resolution =
  | { state: 'UNAUTHORIZED' }
  | { state: KeyState; record: CredentialRecord };

function stateOf(record: CredentialRecord, now: Date): Resolution {
  // last_used_at is maintained by the worker from the usage events (VALID outcomes).
  // Only the fields keyStateAt reads: spreading the whole record cost several µs per key.
  const input = { status: effectiveStatus(record), expiresAt: record.expiresAt, secretExpiresAt: record.secretExpiresAt, rotationDeadline: rotationDeadlineOf(record) };
  return { state: keyStateAt(input, now), record };
}

/**
 * Presented key → its state. Malformed keys and bad checksums are refused without a
 * lookup; known secrets are served from the per-process cache.
 */
@Injectable()
export class KeyResolverService {
  private readonly lookupDeadlineMs: number;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    private readonly material: KeyMaterialService,
    private readonly cache: KeyCacheService,
    private readonly dataSource: DataSource,
    private readonly canaries: CanaryAlarm,
  ) {
    this.lookupDeadlineMs = Math.min(KEY_LOOKUP_DEADLINE_MS, config.requestDeadlineMs);
  }

  /**
   * `describeUse` tells where the key was presented, for the alarm a canary raises. A canary
   * resolves as unknown. It is cached like any key, so that a repeated canary is answered
   * from memory just as a repeated unknown key is (negative cache), and cannot be told
   * apart by latency; its alarm never holds up the answer.
   *
   * A key in the cache is answered at once, without a promise (verify resolves two keys
   * per call, almost always from the cache); only a lookup in the database is awaited.
   * The cache is keyed by the presented key itself: a hit costs no HMAC, and no parse
   * either, since only keys that parsed are ever cached. Entries live in this process's
   * memory only, for at most the cache TTL.
   */
  resolve(candidate: string, now: Date, describeUse: DescribeUse): Resolution | Promise<Resolution> {
    const record = this.cache.get(candidate, now.getTime());
    return record ? this.stateOfFound(record, now, describeUse) : this.resolveUncached(candidate, now, describeUse);
  }

  private async resolveUncached(candidate: string, now: Date, describeUse: DescribeUse): Promise<Resolution> {
    if (!this.material.parse(candidate).ok) return { state: 'UNAUTHORIZED' };
    const generation = this.cache.currentGeneration();
    const hash = this.material.hash(candidate);
    const hashHex = hash.toString('hex');
    // Known to be unknown: a flood of the same unknown key costs no query.
    if (this.cache.isKnownUnknown(hashHex, now.getTime())) return { state: 'UNAUTHORIZED' };
    const found = await withinDeadline(credentialBySecretHash(this.dataSource, hash), this.lookupDeadlineMs);
    if (!found) {
      this.cache.rememberUnknown(hashHex, generation);
      return { state: 'UNAUTHORIZED' };
    }
    this.cache.set(candidate, found, generation);
    return this.stateOfFound(found, now, describeUse);
  }

  private stateOfFound(record: CredentialRecord, now: Date, describeUse: DescribeUse): Resolution {
    if (record.canary) {
      this.canaries.raise(record, describeUse(), now);
      return { state: 'UNAUTHORIZED' };
    }
    return stateOf(record, now);
  }

  /**
   * A key's state by id, read from the database every time: browser sessions hold a key
   * id, never its secret, and must see a revocation or a scope change at once.
   */
  async resolveKeyId(keyId: string, now = new Date()): Promise<Resolution> {
    const record = await withinDeadline(credentialByKeyId(this.dataSource, keyId), this.lookupDeadlineMs);
    return record ? stateOf(record, now) : { state: 'UNAUTHORIZED' };
  }
}
