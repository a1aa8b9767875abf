import { Inject, Injectable } from '@nestjs/common';
import {
  ADMIN_KEY_ENVIRONMENT,
  type AdminKey,
  type AdminKeyRevocation,
  hasScope,
  expandScopes,
  isManagementScope,
  MANAGEMENT_SCOPES,
  type Page,
  type PageQuery,
  coverageIssues,
  delegationIssues,
  effectivePolicy,
  inheritRestrictions,
  type KeyRestrictions,
  type RateLimits,
  rateWindows,
  toStoredPolicy,
  toWirePolicy,
  ROLE_SCOPES,
  type WithSecret,
} from '@keywarden/core';
import { adminKeysPage, ApiKeyEntity, AppEntity, lastLiveOwnerKeyId, toAdminKey, WorkspaceEntity } from '@keywarden/db';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { KeyCacheService } from '../credentials/key-cache.service';
import { BulkKeysService } from '../bulk/bulk-keys.service';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import type { Actor, Principal } from '../credentials/principal';
import { KeyLifecycle } from '../keys/key-lifecycle.service';
import { KeyStore } from '../keys/key-store.service';
import { ADMIN_KEY_SUBJECT } from '../sessions/session-authenticator.service';
import { SessionStore } from '../sessions/session-store.service';
import type { CreateAdminKeyDto } from './dto/create-admin-key.dto';

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
    private readonly lifecycle: KeyLifecycle,
    private readonly bulk: BulkKeysService,
    private readonly sessions: SessionStore,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The restrictions the calling key's own policy sets. */
  private restrictionsOf(principal: Principal): KeyRestrictions {
    return {
      scopes: principal.scopes,
      appIds: principal.appIds,
      expiresAt: principal.expiresAt,
      rateLimits: principal.policy.rateLimits,
      ipAllowlist: principal.policy.ipAllowlist,
      rotationPeriodDays: principal.policy.rotationPeriodDays,
    };
  }

  /** The rate that applies to an admin key: its own limits, else the deployment default. */
  private rateLimitsOf(limits: RateLimits): RateLimits {
    if (rateWindows(limits).length > 0) return limits;
    const perMinute = this.config.policy.adminRateLimitPerMinute;
    return perMinute > 0 ? { perMinute } : {};
  }

  /**
   * Nobody hands out more than they hold: what the child leaves out is inherited from
   * the creator, what it sets must be within the creator's (one rule, `delegationIssues`).
   */
  async create(actor: Actor, dto: CreateAdminKeyDto): Promise<AdminKey & WithSecret> {
    const scopes = requestedScopes(dto);
    const creator = this.restrictionsOf(actor.principal);
    // Left out, the apps are the creator's own: every app for an unrestricted creator.
    const appIds = dto.appIds ?? (creator.appIds === null ? null : [...creator.appIds]);
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : creator.expiresAt;
    const policy = toStoredPolicy(inheritRestrictions(creator, dto.policy));
    const effective = effectivePolicy(null, policy);
    const issues = delegationIssues({ ...creator, rateLimits: this.rateLimitsOf(creator.rateLimits) }, {
      scopes,
      appIds,
      expiresAt,
      rateLimits: this.rateLimitsOf(effective.rateLimits),
      ipAllowlist: effective.ipAllowlist,
      rotationPeriodDays: effective.rotationPeriodDays,
    });
    if (issues.length > 0) {
      throw new ApiError(
        'INSUFFICIENT_PERMISSIONS',
        `Cannot create a key less restricted than the calling key: ${issues.map((issue) => `${issue.field} ${issue.message}`).join('; ')}`,
      );
    }
    const storedPolicy = Object.keys(policy).length > 0 ? policy : null;
    const created = await this.dataSource.transaction(async (manager) => {
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
        expiresAt,
        policy: storedPolicy,
        customerId: null,
        createdBy: actor.principal.keyId,
        canary: false,
      });
      await this.audit.record(manager, actor, key.row.workspaceId, {
        action: 'admin_key.created',
        targetType: 'admin_key',
        targetId: key.row.id,
        details: { name: dto.name, role: dto.role ?? null, scopes, appIds, prefix: secret.prefix, ...(storedPolicy ? { policy: toWirePolicy(storedPolicy) } : {}) },
      });
      const lastOwnerKeyId = await lastLiveOwnerKeyId(manager, key.row.workspaceId);
      return { issued: { ...toAdminKey(key, lastOwnerKeyId), secret: secret.key }, hash: secret.hash };
    });
    // Other instances may have this secret in their unknown-key cache (only if it was
    // presented before it existed): they forget it before anyone is handed it.
    await this.keyCache.announceNewSecret(created.hash.toString('hex'));
    return created.issued;
  }

  /** A restricted key sees only admin keys at most as broad as itself. */
  async list(actor: Actor, query: PageQuery): Promise<Page<AdminKey>> {
    const [page, lastOwnerKeyId] = await Promise.all([
      this.store.page(query, (limit) => adminKeysPage(this.dataSource.manager, actor.principal, query, limit)),
      lastLiveOwnerKeyId(this.dataSource.manager, actor.principal.workspaceId),
    ]);
    return { data: page.data.map((key) => toAdminKey(key, lastOwnerKeyId)), nextCursor: page.nextCursor };
  }

  /**
   * Revokes the admin key; with `cascade` (a member who leaves), also revokes or disables
   * every app key it created, as one bulk operation (audited per key and as a whole).
   */
  async revoke(actor: Actor, keyId: string, cascade?: 'revoke' | 'disable'): Promise<AdminKeyRevocation> {
    if (cascade === 'disable' && !hasScope(actor.principal.scopes, 'keys.write')) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', 'API key lacks the required scope: keys.write');
    }
    const revoked = await this.revokeOne(actor, keyId);
    if (!cascade) return revoked;
    const operation = await this.bulk.run(
      actor,
      { filter: { createdBy: keyId }, action: cascade },
      { auditDetails: { cascadeFromAdminKey: keyId } },
    );
    return {
      ...revoked,
      cascade: { action: cascade, operationId: operation.operationId, matched: operation.matched, changed: operation.changed },
    };
  }

  private async revokeOne(actor: Actor, keyId: string): Promise<AdminKey> {
    const key = await this.dataSource.transaction(async (manager) => {
      // Revocations in one workspace take turns, so that two owner keys revoking each other
      // at once cannot leave it with none. NO KEY UPDATE: creating keys meanwhile is not held up.
      await manager.findOne(WorkspaceEntity, { where: { id: actor.principal.workspaceId }, lock: { mode: 'for_no_key_update' } });
      const row = await manager.findOne(ApiKeyEntity, {
        where: { id: keyId, workspaceId: actor.principal.workspaceId, kind: 'admin' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw ApiError.notFound('Admin key');
      const uncovered = coverageIssues(actor.principal, row);
      if (uncovered.length > 0) {
        throw new ApiError(
          'INSUFFICIENT_PERMISSIONS',
          `Cannot revoke a key broader than the calling key: ${uncovered.map((issue) => `${issue.field} ${issue.message}`).join('; ')}`,
        );
      }
      if ((await lastLiveOwnerKeyId(manager, row.workspaceId)) === row.id) {
        throw ApiError.conflict('Cannot revoke the last owner key of the workspace: create another owner key first');
      }
      await this.lifecycle.revokeAdminKey(manager, actor, row);
      return (await this.store.withSecrets(manager, [row]))[0];
    });
    await this.keyCache.invalidate([keyId]);
    await this.sessions.endAllOfWithdrawn({ type: ADMIN_KEY_SUBJECT, id: keyId });
    // Revoked, it is no owner key at all.
    return toAdminKey(key, null);
  }

  private async assertAppsExist(manager: EntityManager, workspaceId: string, appIds: string[] | null): Promise<void> {
    if (appIds === null) return;
    const found = await manager.countBy(AppEntity, { id: In(appIds), workspaceId, deletedAt: IsNull() });
    if (found !== appIds.length) throw ApiError.validation('appIds', 'contains apps that do not exist in this workspace');
  }
}
