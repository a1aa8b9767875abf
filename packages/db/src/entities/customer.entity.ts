import type { CustomerStatus, Metadata, StoredPolicy } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The platform's customer: holds keys, shares one policy across them. */
@Entity('customers')
export class CustomerEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  /** The platform's own id for the customer, unique in the workspace. */
  @Column('text', { name: 'external_id' })
  externalId!: string;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('jsonb')
  metadata!: Metadata;

  @Column('text')
  status!: CustomerStatus;

  /** Rate limits, concurrency and daily spend cap shared by all its keys (money in micro-units). */
  @Column('jsonb', { nullable: true })
  policy!: StoredPolicy | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
