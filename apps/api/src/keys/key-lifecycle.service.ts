import { Injectable } from '@nestjs/common';
import type { AuditAction } from '@keywarden/core';
import type { ApiKeyEntity } from '@keywarden/db';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../credentials/principal';
import type { IssuedSecret } from '../credentials/key-material.service';
import { recordKeyEvent } from './key-events';
import { currentPrefix, KeyStore } from './key-store.service';

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
   * revoke is final; disable/enable is the reversible pair. Returns whether the status
   * changed (repeating a change is a no-op); enabling or disabling a revoked key is the
   * caller's conflict to refuse.
   */
  async setStatus(
    manager: EntityManager,
    actor: Actor | null,
    row: ApiKeyEntity,
    change: StatusChange,
    details: Record<string, unknown> = {},
  ): Promise<boolean> {
    const target = TARGET_STATUS[change];
    if (row.status === target || row.status === 'revoked') return false;
    row.status = target;
    if (target === 'revoked') row.revokedAt = new Date();
    await manager.save(row);
    await this.audit.record(manager, actor, row.workspaceId, {
      action: STATUS_AUDIT[change],
      targetType: 'key',
      targetId: row.id,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    });
    if (target === 'revoked') {
      const secrets = await this.store.liveSecrets(manager, [row.id]);
      await recordKeyEvent(manager, 'key.revoked', { ...row, appId: row.appId as string }, currentPrefix(secrets.get(row.id) ?? []));
    }
    return true;
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

  /** A new current secret; earlier ones work until `gracePeriodSeconds` from now. */
  async rotate(
    manager: EntityManager,
    actor: Actor | null,
    row: ApiKeyEntity,
    gracePeriodSeconds: number,
    details: Record<string, unknown> = {},
  ): Promise<IssuedSecret> {
    const deadline = new Date(Date.now() + gracePeriodSeconds * 1000);
    const secret = await this.store.rotate(manager, row, deadline);
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
