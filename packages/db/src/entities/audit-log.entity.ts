import type { AuditAction, AuditEntry } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  action!: AuditAction;

  @Column('text', { name: 'actor_key_id', nullable: true })
  actorKeyId!: string | null;

  /** The admin key id, or `portal:<customer id>` for portal actions. */
  @Column('text', { nullable: true })
  actor!: string | null;

  @Column('text', { name: 'target_type' })
  targetType!: AuditEntry['targetType'];

  @Column('text', { name: 'target_id' })
  targetId!: string;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column('jsonb')
  details!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
