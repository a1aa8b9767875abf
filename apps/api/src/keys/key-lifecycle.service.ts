import { Injectable } from '@nestjs/common';
import type { AuditAction } from '@keywarden/core';
import { type ApiKeyEntity, currentPrefix, type KeySecretEntity, recordKeyEvent, recordKeyEvents, setKeyStatuses } from '@keywarden/db';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../credentials/principal';
import type { IssuedSecret } from '../credentials/key-material.service';
import { KeyStore } from './key-store.service';

export type StatusChange = 'revoke' | 'disable' | 'enable';

const TARGET_STATUS: Record<StatusChange, ApiKeyEntity['status']> = { revoke: 'revoked', disable: 'disabled', enable: 'active' };
const STATUS_AUDIT: Record<StatusChange, AuditAction> = { revoke: 'key.revoked', disable: 'key.disabled', enable: 'key.enabled' };

/**
 * The changes of an app key's life, each with its audit entry and webhook event, in the
 * caller's transaction on a row it has locked. One place for single operations, bulk
 * operations and leak responses alike. The caller invalidates the key cache after commit.
 * `actor` null: Keywarden acted by itself (e.g. on a GitHub secret scanning report).
 */
@Injectable()
export class KeyLifecycle {
  constructor(
    private readonly store: KeyStore,
    private readonly audit: AuditService,
  ) {}

  /**
   * revoke is final; disable/enable is the reversible pair. Changes the rows (locked by the
   * caller) not already in the target state and returns them; a revoked key never changes
   * (enabling or disabling one is the caller's conflict to refuse). One statement each for
   * the update, the audit entries (one per key) and the `key.revoked` events, so a bulk
   * operation costs the same few statements per chunk as a single change. `secrets`: the
   * rows' live secrets when the caller has already read them under the same lock (the
   * `key.revoked` events name their prefixes), so they are not read twice.
   */
  async setStatus(
    manager: EntityManager,
    actor: Actor | null,
    rows: ApiKeyEntity[],
    change: StatusChange,
    details: Record<string, unknown> = {},
    secrets?: Map<string, KeySecretEntity[]>,
  ): Promise<ApiKeyEntity[]> {
    const target = TARGET_STATUS[change];
    const candidates = rows.filter((row) => row.status !== target && row.status !== 'revoked');
    if (candidates.length === 0) return [];
    const updated = await setKeyStatuses(manager, candidates.map((row) => row.id), target);
    const byId = new Map(updated.map((row) => [row.id, row]));
    const changed = candidates.filter((row) => byId.has(row.id));
    for (const row of changed) {
      const stored = byId.get(row.id) as { revoked_at: Date | null; updated_at: Date };
      Object.assign(row, { status: target, revokedAt: stored.revoked_at, updatedAt: stored.updated_at });
    }
    const extra = Object.keys(details).length > 0 ? { details } : {};
    for (const [workspaceId, group] of byWorkspace(changed)) {
      await this.audit.recordMany(
        manager,
        actor,
        workspaceId,
        group.map((row) => ({ action: STATUS_AUDIT[change], targetType: 'key' as const, targetId: row.id, ...extra })),
      );
    }
    if (target === 'revoked') {
      const live = secrets ?? (await this.store.liveSecrets(manager, changed.map((row) => row.id)));
      await recordKeyEvents(
        manager,
        'key.revoked',
        changed.map((row) => ({ key: { ...row, appId: row.appId as string }, prefix: currentPrefix(live.get(row.id) ?? []) })),
      );
    }
    return changed;
  }

  /** An admin key (a member who left, or a leaked one): revoked for good. False if it already was. */
  async revokeAdminKey(
    manager: EntityManager,
    actor: Actor | null,
    row: ApiKeyEntity,
    details: Record<string, unknown> = {},
  ): Promise<boolean> {
    if (row.status === 'revoked') return false;
    row.status = 'revoked';
    row.revokedAt = new Date();
    await manager.save(row);
    await this.audit.record(manager, actor, row.workspaceId, {
      action: 'admin_key.revoked',
      targetType: 'admin_key',
      targetId: row.id,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    });
    return true;
  }

  /**
   * A new current secret; the one it replaces works until `gracePeriodSeconds` from now,
   * older ones still in an earlier rotation's grace stop now. The caller's cache
   * invalidation after commit makes every instance see it.
   */
  async rotate(
    manager: EntityManager,
    actor: Actor | null,
    row: ApiKeyEntity,
    gracePeriodSeconds: number,
    details: Record<string, unknown> = {},
  ): Promise<IssuedSecret> {
    const now = new Date();
    const deadline = new Date(now.getTime() + gracePeriodSeconds * 1000);
    const secret = await this.store.rotate(manager, row, deadline, now);
    await this.audit.record(manager, actor, row.workspaceId, {
      action: 'key.rotated',
      targetType: 'key',
      targetId: row.id,
      details: { gracePeriodSeconds, previousSecretsExpireAt: deadline.toISOString(), prefix: secret.prefix, ...details },
    });
    await recordKeyEvent(manager, 'key.rotated', { ...row, appId: row.appId as string }, secret.prefix);
    return secret;
  }

  /** Sets (or clears, with null) the key's expiry; false when it already had that expiry. */
  async setExpiry(
    manager: EntityManager,
    actor: Actor | null,
    row: ApiKeyEntity,
    expiresAt: Date | null,
    details: Record<string, unknown> = {},
  ): Promise<boolean> {
    if ((row.expiresAt?.getTime() ?? null) === (expiresAt?.getTime() ?? null)) return false;
    row.expiresAt = expiresAt;
    await manager.save(row);
    await this.audit.record(manager, actor, row.workspaceId, {
      action: 'key.expiry_set',
      targetType: 'key',
      targetId: row.id,
      details: { expiresAt: expiresAt?.toISOString() ?? null, ...details },
    });
    return true;
  }
}

function byWorkspace(rows: ApiKeyEntity[]): Map<string, ApiKeyEntity[]> {
  const groups = new Map<string, ApiKeyEntity[]>();
  for (const row of rows) {
    const group = groups.get(row.workspaceId);
    if (group) group.push(row);
    else groups.set(row.workspaceId, [row]);
  }
  return groups;
}
