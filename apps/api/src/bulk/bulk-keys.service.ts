import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type BulkKeyAction,
  type BulkKeysResponse,
  DEFAULT_ROTATION_GRACE_SECONDS,
  hasScope,
  newId,
  rotationRefusal,
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
/** Ids listed in an answer at most (`matched` counts them all). */
export const MAX_LISTED_KEY_IDS = 1_000;
/** An operation whose request died mid-way may be taken over by a retry after this long. */
const STALE_OPERATION_MS = 5 * 60_000;

export interface BulkContext {
  /** Idempotency-Key header: a retry with the same key and request gets the first answer. */
  idempotencyKey?: string;
  /** Extra details on the operation's audit entry (e.g. the offboarded admin key). */
  auditDetails?: Record<string, unknown>;
}

/** What a bulk rotation answers per key: the new secret, or why the key was left as it was. */
interface RotationResults {
  secrets: Record<string, string>;
  skipped: Record<string, string>;
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
    if (dto.dryRun) {
      const skipped = dto.action === 'rotate' ? { skipped: await this.rotationRefusals(matchedIds) } : {};
      return { operationId, dryRun: true, matched: matchedIds.length, changed: 0, keyIds: listed, ...skipped };
    }
    const details = { bulkOperationId: operationId };
    let changed = 0;
    const secrets: Record<string, string> = {};
    const skipped: Record<string, string> = {};
    for (let start = 0; start < matchedIds.length; start += BULK_CHUNK_SIZE) {
      const chunk = matchedIds.slice(start, start + BULK_CHUNK_SIZE);
      const changedIds = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.find(ApiKeyEntity, { where: { id: In(chunk) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
        return this.apply(manager, actor, dto, rows, details, { secrets, skipped });
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
      ...(dto.action === 'rotate' ? { secrets, skipped } : {}),
    };
  }

  /** The action on one locked chunk; returns the ids it changed. */
  private async apply(
    manager: EntityManager,
    actor: Actor,
    dto: BulkKeysDto,
    rows: ApiKeyEntity[],
    details: Record<string, unknown>,
    rotations: RotationResults,
  ): Promise<string[]> {
    const action: BulkKeyAction = dto.action;
    if (action === 'revoke' || action === 'disable' || action === 'enable') {
      return (await this.lifecycle.setStatus(manager, actor, rows, action, details)).map((row) => row.id);
    }
    if (action === 'rotate') return this.rotateAll(manager, actor, rows, dto.gracePeriodSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS, details, rotations);
    const changed: string[] = [];
    for (const row of rows.filter((candidate) => candidate.status !== 'revoked')) {
      if (await this.lifecycle.setExpiry(manager, actor, row, dto.expiresAt ? new Date(dto.expiresAt) : null, details)) changed.push(row.id);
    }
    return changed;
  }

  /** Rotates each key a single rotation would, and names the others in `skipped` with the same reason. */
  private async rotateAll(
    manager: EntityManager,
    actor: Actor,
    rows: ApiKeyEntity[],
    gracePeriodSeconds: number,
    details: Record<string, unknown>,
    { secrets, skipped }: RotationResults,
  ): Promise<string[]> {
    const changed: string[] = [];
    const now = new Date();
    for (const row of rows) {
      const refusal = rotationRefusal(row, now);
      if (refusal !== null) {
        skipped[row.id] = refusal;
        continue;
      }
      secrets[row.id] = (await this.lifecycle.rotate(manager, actor, row, gracePeriodSeconds, details)).key;
      changed.push(row.id);
    }
    return changed;
  }

  /** The keys among `keyIds` a rotation would leave as they are, with why (a dry run's `skipped`). */
  private async rotationRefusals(keyIds: string[]): Promise<Record<string, string>> {
    const rows = await this.dataSource.manager.find(ApiKeyEntity, {
      select: { id: true, status: true, expiresAt: true },
      where: { id: In(keyIds) },
      order: { id: 'ASC' },
    });
    const now = new Date();
    const refusals: Record<string, string> = {};
    for (const row of rows) {
      const refusal = rotationRefusal(row, now);
      if (refusal !== null) refusals[row.id] = refusal;
    }
    return refusals;
  }

  /** Ids of the app keys the filter matches, within the actor's workspace and app restriction. */
  private select(actor: Actor, filter: BulkKeyFilterDto): Promise<string[]> {
    return appKeyIdsMatching(this.dataSource.manager, actor.principal, filter);
  }
}
