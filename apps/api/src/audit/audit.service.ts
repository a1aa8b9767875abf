import { Injectable } from '@nestjs/common';
import { type AuditAction, type AuditEntry, newId, type Page } from '@keywarden/core';
import { AuditLogEntity } from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { iso } from '../common/dates';
import { limitOf, pageOf } from '../common/pagination';
import type { Actor } from '../credentials/principal';
import type { ListAuditQueryDto } from './dto/list-audit-query.dto';

export interface AuditEvent {
  action: AuditAction;
  targetType: AuditEntry['targetType'];
  targetId: string;
  /** Changed fields and their new values; callers pass no key material. */
  details?: Record<string, unknown>;
}

function toAuditEntry(row: AuditLogEntity): AuditEntry {
  return {
    id: row.id,
    action: row.action,
    actorKeyId: row.actorKeyId,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    requestId: row.requestId,
    createdAt: iso(row.createdAt),
    details: row.details,
  };
}

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the caller's transaction: the action and its record commit together. */
  async record(manager: EntityManager, actor: Actor | null, workspaceId: string, event: AuditEvent): Promise<void> {
    await manager.save(AuditLogEntity, {
      id: newId('audit'),
      workspaceId,
      action: event.action,
      actorKeyId: actor?.principal.keyId ?? null,
      targetType: event.targetType,
      targetId: event.targetId,
      ip: actor?.ip ?? null,
      requestId: actor?.requestId ?? null,
      details: event.details ?? {},
    });
  }

  async list(workspaceId: string, query: ListAuditQueryDto): Promise<Page<AuditEntry>> {
    const limit = limitOf(query);
    const builder = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId', { workspaceId })
      .orderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (query.cursor) builder.andWhere('a.id < :cursor', { cursor: query.cursor });
    if (query.action) builder.andWhere('a.action = :action', { action: query.action });
    if (query.targetId) builder.andWhere('a.target_id = :targetId', { targetId: query.targetId });
    if (query.actorKeyId) builder.andWhere('a.actor_key_id = :actorKeyId', { actorKeyId: query.actorKeyId });
    return pageOf(await builder.getMany(), limit, toAuditEntry);
  }
}
