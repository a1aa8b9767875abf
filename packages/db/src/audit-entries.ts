import { type AuditAction, type AuditEntry, newId } from '@keywarden/core';
import type { EntityManager } from 'typeorm';

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
