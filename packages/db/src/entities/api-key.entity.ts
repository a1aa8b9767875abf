import type { AdminRole, KeyContainment, Metadata, StoredPolicy } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { KeySecretEntity } from './key-secret.entity';

export type ApiKeyKind = 'admin' | 'app';
/** Stored status; `expired` is derived from expiresAt when read. */
export type StoredKeyStatus = 'active' | 'revoked' | 'disabled';

/**
 * Admin keys (Keywarden's own API) and app keys (the platform's customers) share one
 * table: one lookup path, one rotation/revocation mechanism.
 */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text')
  kind!: ApiKeyKind;

  /** App keys: the app they belong to. */
  @Column('text', { name: 'app_id', nullable: true })
  appId!: string | null;

  /** Admin keys: apps they may act on; null = all apps of the workspace. */
  @Column('text', { name: 'app_ids', array: true, nullable: true })
  appIds!: string[] | null;

  @Column('text', { nullable: true })
  role!: AdminRole | null;

  @Column('text')
  environment!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { name: 'group', nullable: true })
  group!: string | null;

  @Column('text', { array: true })
  scopes!: string[];

  @Column('jsonb')
  metadata!: Metadata;

  @Column('text')
  status!: StoredKeyStatus;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  /** The key's own policy; null = only its app's default policy applies. */
  @Column('jsonb', { nullable: true })
  policy!: StoredPolicy | null;

  /** App keys: the customer holding the key (its shared policy applies too). */
  @Column('text', { name: 'customer_id', nullable: true })
  customerId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Id of the admin key that created it; null for the bootstrap key. */
  @Column('text', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** Canary keys are never valid; every use opens a `canary_used` alert. */
  @Column('boolean')
  canary!: boolean;

  /** Containment in force because of a detector alert. */
  @Column('jsonb', { nullable: true })
  containment!: KeyContainment | null;

  @OneToMany(() => KeySecretEntity, (secret) => secret.key)
  secrets?: KeySecretEntity[];
}
