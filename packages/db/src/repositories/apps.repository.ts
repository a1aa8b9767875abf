import type { AppContainmentUpdate, AppDetectionSettingsUpdate, BusinessHours, PageQuery } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import { AppEntity } from '../entities/app.entity';
import { type Queryable, type WorkspaceReader, workspacePage } from './queryable';

/**
 * apps: the statements that go beyond the entity's plain reads and writes, for the API
 * (listing, deletion, the portal's visibility check) and the worker (what the detector
 * needs of an app).
 */

/** One page of the workspace's live apps the reader may see (see `workspacePage`). */
export function appsPage(db: EntityManager, reader: WorkspaceReader, query: PageQuery, limit: number): Promise<AppEntity[]> {
  const builder = workspacePage(db, AppEntity, 'app', reader.workspaceId, { query, limit }).andWhere('app.deleted_at IS NULL');
  if (reader.appIds !== null) builder.andWhere('app.id = ANY(:appIds)', { appIds: reader.appIds });
  return builder.getMany();
}

/** Marks a live app deleted; false when it already was (a concurrent delete got there first). */
export async function markAppDeleted(db: Queryable, appId: string): Promise<boolean> {
  const [, marked]: [unknown, number] = await db.query(
    `UPDATE apps SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL`,
    [appId],
  );
  return marked > 0;
}

/** Whether the app exists in the workspace, and if so whether it was deleted. */
export async function appStateInWorkspace(db: Queryable, appId: string, workspaceId: string): Promise<'live' | 'deleted' | null> {
  const [row]: Array<{ deleted: boolean }> = await db.query(`SELECT deleted_at IS NOT NULL AS deleted FROM apps WHERE id = $1 AND workspace_id = $2`, [
    appId,
    workspaceId,
  ]);
  return row === undefined ? null : row.deleted ? 'deleted' : 'live';
}

/** Whether the app exists in the workspace and is not deleted. */
export async function isLiveAppOfWorkspace(db: Queryable, appId: string, workspaceId: string): Promise<boolean> {
  return (await appStateInWorkspace(db, appId, workspaceId)) === 'live';
}

/** What the detector reads of an app: its workspace, hours, detection settings and containment. */
export interface AppDetectionSettingsRow {
  workspaceId: string;
  timezone: string;
  businessHours: BusinessHours;
  detectionSettings: AppDetectionSettingsUpdate;
  containment: AppContainmentUpdate;
}

/** The app is there: apps are never removed, only marked deleted. */
export async function detectionSettingsOfApp(db: Queryable, appId: string): Promise<AppDetectionSettingsRow> {
  const [row]: AppDetectionSettingsRow[] = await db.query(
    `SELECT workspace_id AS "workspaceId", timezone, business_hours AS "businessHours",
            detection_settings AS "detectionSettings", containment
       FROM apps WHERE id = $1`,
    [appId],
  );
  return row;
}
