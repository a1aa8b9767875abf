import { Injectable } from '@nestjs/common';
import type { AuditEntry, Page } from '@keywarden/core';
import { type AuditActor, AuditLogEntity, type NewAuditEntry, recordAuditEntries, toAuditEntry } from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { limitOf, pageOf } from '../common/pagination';
import { type Actor, actorLabel } from '../credentials/principal';
import type { ListAuditQueryDto } from './dto/list-audit-query.dto';

/** An audit entry's action, target and details (never key material). */
export type AuditEvent = NewAuditEntry;

/** The audit log's view of an actor. */
export function auditActorOf(actor: Actor | null): AuditActor | null {
  if (!actor) return null;
  return {
    keyId: actor.portalCustomerId ? null : actor.principal.keyId,
    label: actorLabel(actor),
    ip: actor.ip,
    requestId: actor.requestId,
  };
}

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the caller's transaction: the action and its record commit together. */
  async record(manager: EntityManager, actor: Actor | null, workspaceId: string, event: AuditEvent): Promise<void> {
    await this.recordMany(manager, actor, workspaceId, [event]);
  }

  /** One entry per event, in one statement (bulk operations audit every key). */
  async recordMany(manager: EntityManager, actor: Actor | null, workspaceId: string, events: AuditEvent[]): Promise<void> {
    await recordAuditEntries(manager, auditActorOf(actor), workspaceId, events);
  }

  async list(actor: Actor, query: ListAuditQueryDto): Promise<Page<AuditEntry>> {
    const { workspaceId, appIds, keyId } = actor.principal;
    const limit = limitOf(query);
    const builder = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId', { workspaceId })
      .orderBy('a.id', 'DESC')
      .limit(limit + 1);
    // A key restricted to some apps reads what happened to those apps and their keys,
    // webhooks and alerts, and its own actions; not the rest of the workspace.
    if (appIds !== null) {
      builder.andWhere(
        `(a.actor_key_id = :keyId OR a.target_id = :keyId OR COALESCE(
           CASE a.target_type
             WHEN 'app' THEN a.target_id
             WHEN 'key' THEN (SELECT k.app_id FROM api_keys k WHERE k.id = a.target_id)
             WHEN 'alert' THEN (SELECT al.app_id FROM alerts al WHERE al.id = a.target_id)
             WHEN 'webhook' THEN (SELECT w.app_id FROM webhook_endpoints w WHERE w.id = a.target_id)
           END,
           a.details->>'appId') = ANY(:appIds))`,
        { keyId, appIds },
      );
    }
    if (query.cursor) builder.andWhere('a.id < :cursor', { cursor: query.cursor });
    if (query.action) builder.andWhere('a.action = :action', { action: query.action });
    if (query.targetId) builder.andWhere('a.target_id = :targetId', { targetId: query.targetId });
    if (query.actorKeyId) builder.andWhere('a.actor_key_id = :actorKeyId', { actorKeyId: query.actorKeyId });
    return pageOf(await builder.getMany(), limit, toAuditEntry);
  }
}
