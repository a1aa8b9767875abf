import { Injectable } from '@nestjs/common';
import { keyStateAt, type KeyState } from '@keywarden/core';
import { DataSource } from 'typeorm';
import { CanaryAlarm, type CanaryUse } from '../canaries/canary-alarm.service';
import { type CredentialRecord, rotationDeadlineOf } from './credential-record';
import { KeyCacheService } from './key-cache.service';
import { KeyMaterialService } from './key-material.service';

export type Resolution =
  | { state: 'UNAUTHORIZED' }
  | { state: KeyState; record: CredentialRecord };

const CREDENTIAL_COLUMNS = `
  SELECT k.id AS "keyId", k.workspace_id AS "workspaceId", k.kind, k.app_id AS "appId",
         k.app_ids AS "appIds", k.role, k.environment, k.name, k.scopes, k.status,
         k.expires_at AS "expiresAt", s.prefix, s.created_at AS "secretCreatedAt",
         s.expires_at AS "secretExpiresAt", k.policy, a.default_policy AS "appDefaultPolicy",
         k.canary, k.containment
`;

const CREDENTIAL_BY_HASH = `${CREDENTIAL_COLUMNS}
    FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
    LEFT JOIN apps a ON a.id = k.app_id
   WHERE s.hash = $1`;

/** A key by id, with its current secret version (the one without a deadline, else the newest). */
const CREDENTIAL_BY_KEY_ID = `${CREDENTIAL_COLUMNS}
    FROM api_keys k
    JOIN LATERAL (SELECT * FROM key_secrets s WHERE s.key_id = k.id
                   ORDER BY (s.expires_at IS NULL) DESC, s.created_at DESC LIMIT 1) s ON true
    LEFT JOIN apps a ON a.id = k.app_id
   WHERE k.id = $1`;

function stateOf(record: CredentialRecord, now: Date): Resolution {
  // last_used_at is maintained by the worker from the usage events (VALID outcomes).
  return { state: keyStateAt({ ...record, rotationDeadline: rotationDeadlineOf(record) }, now), record };
}

/**
 * Presented key → its state. Malformed keys and bad checksums are refused without a
 * lookup; known secrets are served from the per-process cache.
 */
@Injectable()
export class KeyResolverService {
  constructor(
    private readonly material: KeyMaterialService,
    private readonly cache: KeyCacheService,
    private readonly dataSource: DataSource,
    private readonly canaries: CanaryAlarm,
  ) {}

  /**
   * `use` describes where the key was presented, for the alarm a canary raises. A canary
   * resolves as unknown, and is never cached: like an unknown key it costs a lookup every
   * time, so its answer cannot be told apart by latency either.
   */
  async resolve(candidate: string, now = new Date(), use: CanaryUse = {}): Promise<Resolution> {
    if (!this.material.parse(candidate).ok) return { state: 'UNAUTHORIZED' };
    // Keyed by the presented key itself: a cache hit costs no HMAC. Entries live in this
    // process's memory only, for at most the cache TTL.
    let record = this.cache.get(candidate, now.getTime());
    if (!record) {
      const generation = this.cache.currentGeneration();
      const rows: CredentialRecord[] = await this.dataSource.query(CREDENTIAL_BY_HASH, [this.material.hash(candidate)]);
      if (rows.length === 0) return { state: 'UNAUTHORIZED' };
      record = rows[0];
      if (record.canary) {
        this.canaries.raise(record, use, now);
        return { state: 'UNAUTHORIZED' };
      }
      this.cache.set(candidate, record, generation);
    }
    return stateOf(record, now);
  }

  /**
   * A key's state by id, read from the database every time: browser sessions hold a key
   * id, never its secret, and must see a revocation or a scope change at once.
   */
  async resolveKeyId(keyId: string, now = new Date()): Promise<Resolution> {
    const rows: CredentialRecord[] = await this.dataSource.query(CREDENTIAL_BY_KEY_ID, [keyId]);
    return rows.length === 0 ? { state: 'UNAUTHORIZED' } : stateOf(rows[0], now);
  }
}
