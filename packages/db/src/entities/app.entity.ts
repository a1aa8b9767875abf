import type { AppContainmentUpdate, AppDetectionSettingsUpdate, BusinessHours, LeakResponse, PortalBranding, StoredPolicy } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('apps')
export class AppEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  timezone!: string;

  @Column('jsonb', { name: 'business_hours' })
  businessHours!: BusinessHours;

  @Column('text', { name: 'scope_catalog', array: true })
  scopeCatalog!: string[];

  @Column('text', { array: true })
  environments!: string[];

  @Column('jsonb', { name: 'default_policy', nullable: true })
  defaultPolicy!: StoredPolicy | null;

  /** Detector settings an admin changed; the rest are the defaults. */
  @Column('jsonb', { name: 'detection_settings' })
  detectionSettings!: AppDetectionSettingsUpdate;

  /** Customer portal branding; null when not set. */
  @Column('jsonb', { nullable: true })
  portal!: PortalBranding | null;
  @Column('text', { name: 'leak_response' })
  leakResponse!: LeakResponse;

  /** Containment per detector alert type an admin set; the rest are `none`. */
  @Column('jsonb')
  containment!: AppContainmentUpdate;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Deleted apps stay for the audit trail; their keys are revoked. */
  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
