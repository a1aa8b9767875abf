import { Injectable } from '@nestjs/common';
import type { AuditEntry, Page } from '@keywarden/core';
import { type AuditActor, auditEntriesPage, type NewAuditEntry, recordAuditEntries, toAuditEntry } from '@keywarden/db';
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
    const limit = limitOf(query);
    return pageOf(await auditEntriesPage(this.dataSource.manager, actor.principal, query, limit), limit, toAuditEntry);
  }
}
