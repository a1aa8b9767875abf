import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type BulkActionRequest,
  type BulkKeysResponse,
  bulkSkipReason,
  DEFAULT_ROTATION_GRACE_SECONDS,
  hasScope,
  newId,
} from '@keywarden/core';
import { ApiKeyEntity, appKeyIdsMatching } from '@keywarden/db';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { assertFilterSubjects } from '../common/filter-subjects';
import { isUniqueViolation } from '../common/postgres-errors';
import { KeyCacheService } from '../credentials/key-cache.service';
import type { Actor } from '../credentials/principal';
import { KeyLifecycle } from '../keys/key-lifecycle.service';
import type { BulkKeyFilterDto, BulkKeysDto } from './dto/bulk-keys.dto';

/** Keys changed per transaction: locks stay short, and verify on other keys never waits. */
export const BULK_CHUNK_SIZE = 500;
/** Rotation answers every new secret: more than this in one operation is refused. */
export const MAX_BULK_ROTATIONS = 1_000;
/** Ids listed in an answer's `keyIds`, and in its `skipped`, at most (`matched` counts them all). */
export const MAX_LISTED_KEY_IDS = 1_000;
/** An operation whose request died mid-way may be taken over by a retry after this long. */
const STALE_OPERATION_MS = 5 * 60_000;

export interface BulkContext {
  /** Idempotency-Key header: a retry with the same key and request gets the first answer. */
  idempotencyKey?: string;
  /** Extra details on the operation's audit entry (e.g. the offboarded admin key). */
  auditDetails?: Record<string, unknown>;
}

/** The matched keys an operation leaves as they are, with why: the first MAX_LISTED_KEY_IDS of them. */
class SkippedKeys {
  private readonly reasons = new Map<string, string>();

  add(keyId: string, reason: string): void {
    if (this.reasons.size < MAX_LISTED_KEY_IDS) this.reasons.set(keyId, reason);
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.reasons);
  }
}

interface StoredOperation {
  id: string;
  actor_key_id: string | null;
  request_hash: string;
  result: BulkKeysResponse | null;
  created_at: Date;
}

/** JSON with object keys sorted and undefined fields left out: equal requests, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, field]) => field !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Equal requests hash alike however they are spelled: `ids` is a set (its order means
 * nothing), and only a real run is hashed, so `dryRun: false` is the same as leaving it out.
 */
function requestHash(dto: BulkKeysDto): string {
  const { dryRun: _dryRun, ...request } = dto;
  const filter = request.filter.ids ? { ...request.filter, ids: [...request.filter.ids].sort() } : request.filter;
  return createHash('sha256').update(canonicalJson({ ...request, filter })).digest('hex');
}

/**
 * Bulk operations on app keys: the filter selects (at least one condition), the action
 * runs in chunks of BULK_CHUNK_SIZE keys, each chunk one transaction through the same
 * KeyLifecycle as single operations: one audit entry and one webhook event per key, as
 * for a single operation, plus one audit entry for the operation. Canary keys are never
 * selected by conditions (only by listing their ids), so a stale-keys sweep leaves them be.
 */
@Injectable()
export class BulkKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lifecycle: KeyLifecycle,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
  ) {}

  async run(actor: Actor, dto: BulkKeysDto, context: BulkContext = {}): Promise<BulkKeysResponse> {
    this.assertRunnable(actor, dto);
    await assertFilterSubjects(this.dataSource, actor, dto.filter);
    if (!context.idempotencyKey || dto.dryRun) return this.execute(actor, dto, newId('bulkOperation'), context);
    const operationId = await this.claim(actor, dto, context.idempotencyKey);
    if (typeof operationId !== 'string') return operationId;
    try {
      const result = await this.execute(actor, dto, operationId, context);
      const { secrets: _secrets, ...stored } = result; // secrets are shown once, never kept
      await this.dataSource.query(`UPDATE bulk_operations SET result = $2 WHERE id = $1`, [operationId, stored]);
      return result;
    } catch (error) {
      // Let a retry run it again: every action is safe to repeat on the keys already changed.
      await this.dataSource.query(`DELETE FROM bulk_operations WHERE id = $1 AND result IS NULL`, [operationId]);
      throw error;
    }
  }

  private assertRunnable(actor: Actor, dto: BulkKeysDto): void {
    const conditions = Object.entries(dto.filter ?? {}).filter(([, value]) => value !== undefined);
    if (conditions.length === 0) {
      throw ApiError.validation('filter', 'needs at least one condition: a bulk action on every key is refused');
    }
    if (dto.action === 'revoke' && !hasScope(actor.principal.scopes, 'keys.revoke')) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', 'API key lacks the required scope: keys.revoke');
    }
    if (dto.action === 'expire' && dto.expiresAt === undefined) {
      throw ApiError.validation('expiresAt', 'is required for expire (a future date, or null to clear the expiry)');
    }
    if (dto.action !== 'expire' && dto.expiresAt !== undefined) throw ApiError.validation('expiresAt', 'applies to expire only');
    if (dto.action !== 'rotate' && dto.gracePeriodSeconds !== undefined) {
      throw ApiError.validation('gracePeriodSeconds', 'applies to rotate only');
    }
  }

  /** Records the operation under its idempotency key; a retry gets the stored answer instead. */
  private async claim(actor: Actor, dto: BulkKeysDto, idempotencyKey: string): Promise<string | BulkKeysResponse> {
    const hash = requestHash(dto);
    const id = newId('bulkOperation');
    const { workspaceId } = actor.principal;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.dataSource.query(
          `INSERT INTO bulk_operations (id, workspace_id, idempotency_key, request_hash, actor_key_id, action) VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, workspaceId, idempotencyKey, hash, actor.principal.keyId, dto.action],
        );
        return id;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const [existing]: StoredOperation[] = await this.dataSource.query(
        `SELECT id, actor_key_id, request_hash, result, created_at FROM bulk_operations WHERE workspace_id = $1 AND idempotency_key = $2`,
        [workspaceId, idempotencyKey],
      );
      if (!existing) continue; // deleted after a failure in between: claim it anew
      // The answer names keys its caller may act on: another admin key (perhaps limited to
      // other apps) never gets it.
      if (existing.actor_key_id !== actor.principal.keyId) {
        throw ApiError.conflict('Idempotency-Key was already used by another API key; choose a new one');
      }
      if (existing.request_hash !== hash) throw ApiError.conflict('Idempotency-Key was already used for a different bulk request');
      if (existing.result) return existing.result;
      if (Date.now() - existing.created_at.getTime() < STALE_OPERATION_MS) {
        throw ApiError.conflict('A bulk operation with this Idempotency-Key is still running; retry later');
      }
      await this.dataSource.query(`DELETE FROM bulk_operations WHERE id = $1 AND result IS NULL`, [existing.id]);
    }
    throw ApiError.conflict('A bulk operation with this Idempotency-Key is still running; retry later');
  }

  private async execute(actor: Actor, dto: BulkKeysDto, operationId: string, context: BulkContext): Promise<BulkKeysResponse> {
    const matchedIds = await this.select(actor, dto.filter);
    const listed = matchedIds.slice(0, MAX_LISTED_KEY_IDS);
    // A dry run answers what the real call would: the same refusal included.
    if (dto.action === 'rotate' && matchedIds.length > MAX_BULK_ROTATIONS) {
      throw ApiError.validation('filter', `matches ${matchedIds.length} keys; rotate at most ${MAX_BULK_ROTATIONS} at once (each new secret is in the answer)`);
    }
    const request: BulkActionRequest = { expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null };
    const skipped = new SkippedKeys();
    /** The rows the action changes; the others go to `skipped`, by the same rule in a real and a dry run. */
    const applicable = (rows: ApiKeyEntity[]): ApiKeyEntity[] => {
      const now = new Date();
      return rows.filter((row) => {
        const reason = bulkSkipReason(dto.action, row, request, now);
        if (reason !== null) skipped.add(row.id, reason);
        return reason === null;
      });
    };
    if (dto.dryRun) {
      for (const chunk of chunksOf(matchedIds)) {
        applicable(await this.dataSource.manager.find(ApiKeyEntity, { select: { id: true, status: true, expiresAt: true }, where: { id: In(chunk) }, order: { id: 'ASC' } }));
      }
      return { operationId, dryRun: true, matched: matchedIds.length, changed: 0, keyIds: listed, skipped: skipped.toJSON() };
    }
    const details = { bulkOperationId: operationId };
    let changed = 0;
    const secrets: Record<string, string> = {};
    for (const chunk of chunksOf(matchedIds)) {
      const changedIds = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.find(ApiKeyEntity, { where: { id: In(chunk) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
        return this.apply(manager, actor, dto, request, applicable(rows), details, secrets);
      });
      changed += changedIds.length;
      await this.keyCache.invalidate(changedIds);
    }
    await this.audit.record(this.dataSource.manager, actor, actor.principal.workspaceId, {
      action: 'keys.bulk',
      targetType: 'bulk_operation',
      targetId: operationId,
      details: { action: dto.action, filter: dto.filter, matched: matchedIds.length, changed, ...context.auditDetails },
    });
    return {
      operationId,
      dryRun: false,
      matched: matchedIds.length,
      changed,
      keyIds: listed,
      skipped: skipped.toJSON(),
      ...(dto.action === 'rotate' ? { secrets } : {}),
    };
  }

  /** The action on the keys of one locked chunk it applies to; returns the ids it changed. */
  private async apply(
    manager: EntityManager,
    actor: Actor,
    dto: BulkKeysDto,
    request: BulkActionRequest,
    rows: ApiKeyEntity[],
    details: Record<string, unknown>,
    secrets: Record<string, string>,
  ): Promise<string[]> {
    const { action } = dto;
    if (action === 'revoke' || action === 'disable' || action === 'enable') {
      return (await this.lifecycle.setStatus(manager, actor, rows, action, details)).map((row) => row.id);
    }
    const changed: string[] = [];
    for (const row of rows) {
      if (action === 'rotate') {
        secrets[row.id] = (await this.lifecycle.rotate(manager, actor, row, dto.gracePeriodSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS, details)).key;
        changed.push(row.id);
      } else if (await this.lifecycle.setExpiry(manager, actor, row, request.expiresAt ?? null, details)) {
        changed.push(row.id);
      }
    }
    return changed;
  }

  /** Ids of the app keys the filter matches, within the actor's workspace and app restriction. */
  private select(actor: Actor, filter: BulkKeyFilterDto): Promise<string[]> {
    return appKeyIdsMatching(this.dataSource.manager, actor.principal, filter);
  }
}

/** `ids` in slices of BULK_CHUNK_SIZE, in order. */
function chunksOf(ids: string[]): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += BULK_CHUNK_SIZE) chunks.push(ids.slice(start, start + BULK_CHUNK_SIZE));
  return chunks;
}
