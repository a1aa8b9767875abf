import { Injectable } from '@nestjs/common';
import {
  ADMIN_KEY_ENVIRONMENT,
  type AdminKey,
  displayStatus,
  expandScopes,
  isManagementScope,
  MANAGEMENT_SCOPES,
  type Page,
  type PageQuery,
  restrictionWithin,
  toStoredPolicy,
  toWirePolicy,
  ROLE_SCOPES,
  scopesNotHeld,
  type WithSecret,
} from '@keywarden/core';
import { ApiKeyEntity, AppEntity } from '@keywarden/db';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { iso } from '../common/dates';
import { KeyCacheService } from '../credentials/key-cache.service';
import type { Actor } from '../credentials/principal';
import { currentPrefix, KeyStore, type KeyWithSecrets } from '../keys/key-store.service';
import { ADMIN_KEY_SUBJECT } from '../sessions/session-authenticator.service';
import { SessionStore } from '../sessions/session-store.service';
import type { CreateAdminKeyDto } from './dto/create-admin-key.dto';

export function toAdminKey({ row, secrets }: KeyWithSecrets, now = new Date()): AdminKey {
  return {
    id: row.id,
    name: row.name,
    prefix: currentPrefix(secrets),
    role: row.role,
    scopes: row.scopes,
    appIds: row.appIds,
    status: displayStatus(row.status, row.expiresAt, now),
    createdAt: iso(row.createdAt),
    createdBy: row.createdBy,
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    policy: toWirePolicy(row.policy),
  };
}

function requestedScopes(dto: CreateAdminKeyDto): string[] {
  if ((dto.role === undefined) === (dto.scopes === undefined)) {
    throw ApiError.validation('role', 'give exactly one of role and scopes');
  }
  if (dto.role !== undefined) return [...ROLE_SCOPES[dto.role]];
  const scopes = expandScopes(dto.scopes as string[], MANAGEMENT_SCOPES);
  const foreign = scopes.filter((scope) => !isManagementScope(scope));
  if (foreign.length > 0) throw ApiError.validation('scopes', `are not management scopes: ${foreign.join(', ')}`);
  return scopes;
}

@Injectable()
export class AdminKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: KeyStore,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
    private readonly sessions: SessionStore,
  ) {}

  /** Nobody hands out more than they hold: scopes and app restriction alike. */
  async create(actor: Actor, dto: CreateAdminKeyDto): Promise<AdminKey & WithSecret> {
    const scopes = requestedScopes(dto);
    const notHeld = scopesNotHeld(actor.principal.scopes, scopes);
    if (notHeld.length > 0) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', `Cannot grant scopes the calling key does not hold: ${notHeld.join(', ')}`);
    }
    const appIds = dto.appIds ?? null;
    if (!restrictionWithin(actor.principal.appIds, appIds)) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', 'Cannot grant access to apps outside the calling key\'s restriction');
    }
    return this.dataSource.transaction(async (manager) => {
      await this.assertAppsExist(manager, actor.principal.workspaceId, appIds);
      const { key, secret } = await this.store.insert(manager, 'admin', {
        workspaceId: actor.principal.workspaceId,
        appId: null,
        appIds,
        role: dto.role ?? null,
        environment: ADMIN_KEY_ENVIRONMENT,
        name: dto.name,
        description: null,
        group: null,
        scopes,
        metadata: {},
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        policy: dto.policy ? toStoredPolicy(dto.policy) : null,
        createdBy: actor.principal.keyId,
      });
      await this.audit.record(manager, actor, key.row.workspaceId, {
        action: 'admin_key.created',
        targetType: 'admin_key',
        targetId: key.row.id,
        details: { name: dto.name, role: dto.role ?? null, scopes, appIds, prefix: secret.prefix, ...(dto.policy ? { policy: dto.policy } : {}) },
      });
      return { ...toAdminKey(key), secret: secret.key };
    });
  }

  /** A restricted key sees only admin keys at most as broad as itself. */
  async list(actor: Actor, query: PageQuery): Promise<Page<AdminKey>> {
    const page = await this.store.page(actor.principal.workspaceId, 'admin', query, (builder) => {
      if (actor.principal.appIds !== null) {
        builder.andWhere('k.app_ids IS NOT NULL AND k.app_ids <@ :appIds', { appIds: actor.principal.appIds });
      }
    });
    return { data: page.data.map((key) => toAdminKey(key)), nextCursor: page.nextCursor };
  }

  async revoke(actor: Actor, keyId: string): Promise<AdminKey> {
    const key = await this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(ApiKeyEntity, {
        where: { id: keyId, workspaceId: actor.principal.workspaceId, kind: 'admin' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw ApiError.notFound('Admin key');
      if (!restrictionWithin(actor.principal.appIds, row.appIds)) {
        throw new ApiError('INSUFFICIENT_PERMISSIONS', 'Cannot revoke a key broader than the calling key');
      }
      if (row.status !== 'revoked') {
        row.status = 'revoked';
        row.revokedAt = new Date();
        await manager.save(row);
        await this.audit.record(manager, actor, row.workspaceId, {
          action: 'admin_key.revoked',
          targetType: 'admin_key',
          targetId: row.id,
        });
      }
      return (await this.store.withSecrets(manager, [row]))[0];
    });
    await this.keyCache.invalidate([keyId]);
    // Its console sessions end now (each request also re-reads the key's state).
    await this.sessions.endAllOf({ type: ADMIN_KEY_SUBJECT, id: keyId });
    return toAdminKey(key);
  }

  private async assertAppsExist(manager: EntityManager, workspaceId: string, appIds: string[] | null): Promise<void> {
    if (appIds === null) return;
    const found = await manager.countBy(AppEntity, { id: In(appIds), workspaceId, deletedAt: IsNull() });
    if (found !== appIds.length) throw ApiError.validation('appIds', 'contains apps that do not exist in this workspace');
  }
}
