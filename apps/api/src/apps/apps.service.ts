import { Injectable } from '@nestjs/common';
import {
  type App,
  type AppDetectionSettingsUpdate,
  DEFAULT_BUSINESS_HOURS,
  DEFAULT_ENVIRONMENTS,
  newId,
  type Page,
  type PageQuery,
  toStoredPolicy,
} from '@keywarden/core';
import { AppEntity, appKeyIdsAmong, appsPage, markAppDeleted, recordKeyEvent, revokeKeysOfApp, toApp, unrevokedKeyIdsOfApp } from '@keywarden/db';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { assertCanActOnApp } from '../common/app-access';
import { isUniqueViolation } from '../common/postgres-errors';
import { limitOf, pageOf } from '../common/pagination';
import { KeyCacheService } from '../credentials/key-cache.service';
import type { Actor } from '../credentials/principal';
import type { CreateAppDto } from './dto/create-app.dto';
import type { UpdateAppDto } from './dto/update-app.dto';
import { definedChanges, fieldsChangedSince, snapshotOf } from '../common/defined-changes';

function assertHoursSpanTime(dto: CreateAppDto | UpdateAppDto): void {
  if (dto.businessHours && dto.businessHours.start === dto.businessHours.end) {
    throw ApiError.validation('businessHours.end', 'must differ from start');
  }
}

/** Muted keys must be keys of the app itself (any status: a revoked key's traffic still counts). */
async function assertMutedKeysOfApp(
  manager: EntityManager,
  appId: string,
  detection: AppDetectionSettingsUpdate | undefined,
): Promise<void> {
  const muted = detection?.mutedKeyIds ?? [];
  if (muted.length === 0) return;
  const known = await appKeyIdsAmong(manager, appId, muted);
  const foreign = muted.filter((id) => !known.has(id));
  if (foreign.length > 0) {
    throw ApiError.validation('detection.mutedKeyIds', `are not keys of this app: ${foreign.join(', ')}`);
  }
}

/** What `PATCH /v1/apps/:id` may change. */
const UPDATABLE_APP_FIELDS = [
  'name',
  'timezone',
  'businessHours',
  'scopeCatalog',
  'environments',
  'defaultPolicy',
  'detectionSettings',
  'portal',
  'leakResponse',
  'containment',
] as const;

@Injectable()
export class AppsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
  ) {}

  /**
   * The app as the actor may see it: other workspaces' apps do not exist for it (404);
   * apps outside its restriction are forbidden (403).
   */
  async findForActor(
    actor: Actor,
    appId: string,
    manager: EntityManager = this.dataSource.manager,
    options: { holdAgainstDelete?: boolean } = {},
  ): Promise<AppEntity> {
    const app = await manager.findOne(AppEntity, {
      where: { id: appId, workspaceId: actor.principal.workspaceId, deletedAt: IsNull() },
      // FOR SHARE until the caller's transaction ends: a delete (which takes the row FOR
      // UPDATE) waits for it and then revokes what it created, and a create that comes
      // after a delete re-reads the row, finds it deleted and answers 404.
      ...(options.holdAgainstDelete ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    });
    if (!app) throw ApiError.notFound('App');
    assertCanActOnApp(actor, app.id);
    return app;
  }

  async create(actor: Actor, dto: CreateAppDto): Promise<App> {
    if (actor.principal.appIds !== null) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', 'App-restricted keys cannot create apps');
    }
    assertHoursSpanTime(dto);
    const app = await this.saveUnique(() =>
      this.dataSource.transaction(async (manager) => {
        const row = manager.create(AppEntity, {
          id: newId('app'),
          workspaceId: actor.principal.workspaceId,
          name: dto.name,
          timezone: dto.timezone ?? 'UTC',
          businessHours: dto.businessHours ?? DEFAULT_BUSINESS_HOURS,
          scopeCatalog: dto.scopeCatalog ?? [],
          environments: dto.environments ?? DEFAULT_ENVIRONMENTS,
          defaultPolicy: dto.defaultPolicy ? toStoredPolicy(dto.defaultPolicy) : null,
          detectionSettings: definedChanges<AppDetectionSettingsUpdate>(dto.detection),
          leakResponse: dto.leakResponse ?? 'revoke',
          containment: definedChanges(dto.containment),
          portal: dto.portal ? { ...dto.portal } : null,
          deletedAt: null,
        });
        // A new app has no keys yet: any muted key id is refused.
        await assertMutedKeysOfApp(manager, row.id, dto.detection);
        await manager.insert(AppEntity, row);
        await this.audit.record(manager, actor, row.workspaceId, {
          action: 'app.created',
          targetType: 'app',
          targetId: row.id,
          details: { name: row.name },
        });
        return manager.findOneByOrFail(AppEntity, { id: row.id });
      }),
    );
    return toApp(app);
  }

  async list(actor: Actor, query: PageQuery): Promise<Page<App>> {
    const limit = limitOf(query);
    return pageOf(await appsPage(this.dataSource.manager, actor.principal, query, limit), limit, toApp);
  }

  async get(actor: Actor, appId: string): Promise<App> {
    return toApp(await this.findForActor(actor, appId));
  }

  async update(actor: Actor, appId: string, dto: UpdateAppDto): Promise<App> {
    assertHoursSpanTime(dto);
    const { defaultPolicy, detection, containment, portal, ...fields } = dto;
    const { app, changed } = await this.saveUnique(() =>
      this.dataSource.transaction(async (manager) => {
        const row = await this.findForActor(actor, appId, manager);
        const before = snapshotOf(row, UPDATABLE_APP_FIELDS);
        manager.merge(AppEntity, row, fields);
        if (defaultPolicy !== undefined) row.defaultPolicy = defaultPolicy === null ? null : toStoredPolicy(defaultPolicy);
        if (portal !== undefined) row.portal = portal === null ? null : { ...portal };
        if (detection) {
          await assertMutedKeysOfApp(manager, row.id, detection);
          row.detectionSettings = { ...row.detectionSettings, ...definedChanges<AppDetectionSettingsUpdate>(detection) };
        }
        if (containment) row.containment = { ...row.containment, ...definedChanges(containment) };
        // An update that changes nothing (no field, or every field as it was) is not audited.
        const changed = fieldsChangedSince(before, row);
        if (changed.length === 0) return { app: row, changed };
        await manager.save(row);
        await this.audit.record(manager, actor, row.workspaceId, {
          action: 'app.updated',
          targetType: 'app',
          targetId: row.id,
          details: { ...dto },
        });
        return { app: row, changed };
      }),
    );
    // Cached credentials carry the app default: its keys must pick up the new one.
    if (changed.includes('defaultPolicy')) await this.keyCache.invalidate(await this.keyIdsOf(app.id));
    return toApp(app);
  }

  private async keyIdsOf(appId: string): Promise<string[]> {
    return unrevokedKeyIdsOfApp(this.dataSource, appId);
  }

  /**
   * Deleting an app revokes all its keys at once; the app's record stays for the audit
   * trail. Marking the app deleted waits for key creations holding the app row (FOR
   * SHARE); the revoke that follows is a new statement, so it sees the keys they made.
   */
  async delete(actor: Actor, appId: string): Promise<void> {
    const revokedKeyIds = await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, appId, manager);
      // A concurrent delete got there first: nothing is left to do (or to revoke twice).
      if (!(await markAppDeleted(manager, row.id))) throw ApiError.notFound('App');
      const revoked = await revokeKeysOfApp(manager, row.id);
      for (const key of revoked) {
        await recordKeyEvent(manager, 'key.revoked', { ...key, workspaceId: row.workspaceId, appId: row.id }, key.prefix ?? '');
      }
      await this.audit.record(manager, actor, row.workspaceId, {
        action: 'app.deleted',
        targetType: 'app',
        targetId: row.id,
        details: { name: row.name, revokedKeys: revoked.length },
      });
      return revoked.map(({ id }) => id);
    });
    await this.keyCache.invalidate(revokedKeyIds);
  }

  private async saveUnique<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict('An app with this name already exists in the workspace');
      throw error;
    }
  }
}

