import type { WebhookDisabledReason, WebhookEventType } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A receiver of an app's events. Secrets are sealed (`sealSecret`, bound to the endpoint
 * id), never stored in clear: deliveries must sign with them, so they cannot be hashed.
 */
@Entity('webhook_endpoints')
export class WebhookEndpointEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text', { name: 'app_id' })
  appId!: string;

  @Column('text')
  url!: string;

  /** Set: only events about this customer's keys are delivered here. */
  @Column('text', { name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column('text', { nullable: true })
  description!: string | null;

  /** Empty: every event type. */
  @Column('text', { name: 'event_types', array: true })
  eventTypes!: WebhookEventType[];

  @Column('boolean')
  enabled!: boolean;

  @Column('text', { name: 'disabled_reason', nullable: true })
  disabledReason!: WebhookDisabledReason | null;

  @Column('text', { name: 'disabled_message', nullable: true })
  disabledMessage!: string | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  @Column('timestamptz', { name: 'failing_since', nullable: true })
  failingSince!: Date | null;

  @Column('text', { name: 'secret_sealed' })
  secretSealed!: string;

  @Column('text', { name: 'previous_secret_sealed', nullable: true })
  previousSecretSealed!: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
