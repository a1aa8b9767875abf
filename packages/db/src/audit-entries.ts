import { type AuditAction, type AuditEntry, type ListAuditQuery, newId } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import { AuditLogEntity } from './entities/audit-log.entity';
import { type WorkspaceReader, workspacePage } from './repositories/queryable';

/** Who acted: an admin key (with the request's IP and id), or null when Keywarden acted by itself. */
export interface AuditActor {
  /** The admin key behind the action (null for a customer acting in the portal). */
  keyId: string | null;
  /** Free-form actor as the audit log shows it (`akey_…`, `portal:<customer id>`). */
  label: string | null;
  ip: string | null;
  requestId: string | null;
}

export interface NewAuditEntry {
  action: AuditAction;
  targetType: AuditEntry['targetType'];
  targetId: string;
  /** Changed fields and their new values; callers pass no key material. */
  details?: Record<string, unknown>;
}

/** Audit entries of one workspace in one statement, in the caller's transaction. */
export async function recordAuditEntries(
  manager: EntityManager,
  actor: AuditActor | null,
  workspaceId: string,
  entries: NewAuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await manager.query(
    `INSERT INTO audit_log (id, workspace_id, action, actor_key_id, actor, target_type, target_id, ip, request_id, details)
     SELECT id, $2, action, $3, $10, target_type, target_id, $4, $5, details
       FROM unnest($1::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[]) AS e(id, action, target_type, target_id, details)`,
    [
      entries.map(() => newId('audit')),
      workspaceId,
      actor?.keyId ?? null,
      actor?.ip ?? null,
      actor?.requestId ?? null,
      entries.map((entry) => entry.action),
      entries.map((entry) => entry.targetType),
      entries.map((entry) => entry.targetId),
      entries.map((entry) => JSON.stringify(entry.details ?? {})),
      actor?.label ?? null,
    ],
  );
}

/**
 * One page of a workspace's audit log (see `workspacePage`). A reader restricted to some apps reads
 * what happened to those apps and their keys, webhooks and alerts, and its own actions;
 * not the rest of the workspace.
 */
export function auditEntriesPage(
  db: EntityManager,
  reader: WorkspaceReader & { keyId: string },
  query: ListAuditQuery,
  limit: number,
): Promise<AuditLogEntity[]> {
  const builder = workspacePage(db, AuditLogEntity, 'a', reader.workspaceId, { query, limit });
  if (reader.appIds !== null) {
    builder.andWhere(
      `(a.actor_key_id = :keyId OR a.target_id = :keyId OR COALESCE(
         CASE a.target_type
           WHEN 'app' THEN a.target_id
           WHEN 'key' THEN (SELECT k.app_id FROM api_keys k WHERE k.id = a.target_id)
           WHEN 'alert' THEN (SELECT al.app_id FROM alerts al WHERE al.id = a.target_id)
           WHEN 'webhook' THEN (SELECT w.app_id FROM webhook_endpoints w WHERE w.id = a.target_id)
         END,
         a.details->>'appId') = ANY(:appIds))`,
      { keyId: reader.keyId, appIds: reader.appIds },
    );
  }
  if (query.action) builder.andWhere('a.action = :action', { action: query.action });
  if (query.targetId) builder.andWhere('a.target_id = :targetId', { targetId: query.targetId });
  if (query.actorKeyId) builder.andWhere('a.actor_key_id = :actorKeyId', { actorKeyId: query.actorKeyId });
  if (query.actor) builder.andWhere('a.actor = :actor', { actor: query.actor });
  return builder.getMany();
}
