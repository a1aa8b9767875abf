import { type ListAlertsQuery, MAX_LEAK_REPORTS_KEPT } from '@keywarden/core';
import { type EntityManager, MoreThanOrEqual, Not } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AlertEntity } from '../entities/alert.entity';
import { type Queryable, type WorkspaceReader, workspacePage } from './queryable';

/**
 * alerts: the statements that go beyond the entity's plain reads and writes, for the API
 * (listing, canary alarms, leak incidents) and the worker (the detector's incidents and the
 * incidents an admin resolved). Both apps save changed rows through the entity.
 */

/** One page of the alerts a listing asks for (see `workspacePage`). */
export function alertsPage(db: EntityManager, reader: WorkspaceReader, query: ListAlertsQuery, limit: number): Promise<AlertEntity[]> {
  const builder = workspacePage(db, AlertEntity, 'a', reader.workspaceId, { query, limit });
  if (reader.appIds !== null) builder.andWhere('a.app_id = ANY(:appIds)', { appIds: reader.appIds });
  if (query.appId) builder.andWhere('a.app_id = :appId', { appId: query.appId });
  if (query.keyId) builder.andWhere('a.key_id = :keyId', { keyId: query.keyId });
  if (query.customerId) builder.andWhere('a.customer_id = :customerId', { customerId: query.customerId });
  if (query.type) builder.andWhere('a.type = :type', { type: query.type });
  if (query.status) builder.andWhere('a.status = :status', { status: query.status });
  if (query.from) builder.andWhere('a.first_detected_at >= :from', { from: new Date(query.from) });
  if (query.to) builder.andWhere('a.first_detected_at < :to', { to: new Date(query.to) });
  return builder.getMany();
}

/** An alert by id; it must exist. */
export function alertById(db: EntityManager, alertId: string): Promise<AlertEntity> {
  return db.findOneByOrFail(AlertEntity, { id: alertId });
}

/** The unresolved alert of an incident (at most one: the partial unique index), locked for update. */
export function unresolvedAlertForUpdate(db: EntityManager, appId: string, fingerprint: string): Promise<AlertEntity | null> {
  return db.findOne(AlertEntity, {
    where: { appId, fingerprint, status: Not('resolved' as const) },
    lock: { mode: 'pessimistic_write' },
  });
}

/** The key's latest unresolved leak alert opened at or after `since`, locked for update (a resolved incident is not joined). */
export function leakAlertSinceForUpdate(db: EntityManager, keyId: string, since: Date): Promise<AlertEntity | null> {
  return db.findOne(AlertEntity, {
    where: { keyId, type: 'leak', status: Not('resolved' as const), firstDetectedAt: MoreThanOrEqual(since) },
    order: { firstDetectedAt: 'DESC' },
    lock: { mode: 'pessimistic_write' },
  });
}

/** A canary's use: who presented it, and the alert's evidence (with `uses`, newest first). */
export interface CanaryUseRow {
  alertId: string;
  workspaceId: string;
  appId: string;
  keyId: string;
  model: string | null;
  evidence: Record<string, unknown> & { uses: unknown[] };
  at: Date;
}

/**
 * A new alert, written as one INSERT: `save` would first read the row back by its id to
 * tell an insert from an update. (The cast: TypeORM's partial-entity type does not accept
 * the evidence's open index signature.)
 */
export async function insertAlert(db: EntityManager, alert: AlertEntity): Promise<void> {
  await db.insert(AlertEntity, alert as QueryDeepPartialEntity<AlertEntity>);
}

/** A repeat of an open incident: its evidence, count and last time, in one UPDATE (no read-back, as with `insertAlert`). */
export async function recordAlertRepeat(db: EntityManager, alert: Pick<AlertEntity, 'id' | 'evidence' | 'occurrences' | 'lastDetectedAt'>): Promise<void> {
  const changes = { evidence: alert.evidence, occurrences: alert.occurrences, lastDetectedAt: alert.lastDetectedAt };
  await db.update(AlertEntity, { id: alert.id }, changes as QueryDeepPartialEntity<AlertEntity>);
}

/**
 * Opens the key's `canary_used` alert, or counts the use in its unresolved one (latest uses
 * first in the evidence, at most MAX_LEAK_REPORTS_KEPT). One statement, so that concurrent
 * uses land in one alert (the partial unique index). Returns the alert's id and whether
 * this use opened it.
 */
export async function recordCanaryUse(db: Queryable, use: CanaryUseRow): Promise<{ id: string; inserted: boolean }> {
  const [row]: Array<{ id: string; inserted: boolean }> = await db.query(
    `INSERT INTO alerts (id, workspace_id, app_id, key_id, model, type, fingerprint, status, severity, evidence,
                         first_detected_at, last_detected_at, occurrences)
     VALUES ($1, $2, $3, $4, $5, 'canary_used', $6, 'open', 'critical', $7, $8, $8, 1)
     ON CONFLICT (app_id, fingerprint) WHERE status <> 'resolved' DO UPDATE SET
       occurrences = alerts.occurrences + 1,
       last_detected_at = excluded.last_detected_at,
       evidence = excluded.evidence || jsonb_build_object(
         'observed', alerts.occurrences + 1,
         'uses', jsonb_path_query_array(excluded.evidence->'uses' || (alerts.evidence->'uses'), '$[0 to ${MAX_LEAK_REPORTS_KEPT - 1}]')),
       updated_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [use.alertId, use.workspaceId, use.appId, use.keyId, use.model, `canary_used:${use.keyId}`, use.evidence, use.at],
  );
  return row;
}

/**
 * The fingerprints of the app's incidents an admin resolved since the detector's last step,
 * clearing their mark: the detector forgets them, so that a recurrence opens a new alert.
 */
export async function takeAdminClosedIncidents(db: Queryable, appId: string): Promise<string[]> {
  const [closed]: [Array<{ fingerprint: string }>, number] = await db.query(
    `UPDATE alerts SET incident_close_pending = false WHERE app_id = $1 AND incident_close_pending RETURNING fingerprint`,
    [appId],
  );
  return closed.map((row) => row.fingerprint);
}
