import type { WebhookDisabledReason, WebhookEventType } from '@keywarden/core';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A replaced secret that keeps signing alongside the current one until `expiresAt` (ISO 8601). */
export interface RetiredWebhookSecret {
  sealed: string;
  expiresAt: string;
}

/** How many secrets replaced before the previous one keep signing at most (the oldest drops out first). */
export const MAX_OLDER_WEBHOOK_SECRETS = 8;

/**
 * The secrets that sign alongside a new one after a rotation at `now`: the replaced secret
 * becomes the previous one (the caller sets it), and the previous one, while its overlap
 * lasts, joins the older secrets still signing. Newest first, at most MAX_OLDER_WEBHOOK_SECRETS.
 */
export function olderSecretsAfterRotation(row: Pick<WebhookEndpointEntity, 'previousSecretSealed' | 'previousSecretExpiresAt' | 'olderSecrets'>, now: Date): RetiredWebhookSecret[] {
  const older = (row.olderSecrets ?? []).filter((secret) => Date.parse(secret.expiresAt) > now.getTime());
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) {
    older.unshift({ sealed: row.previousSecretSealed, expiresAt: row.previousSecretExpiresAt.toISOString() });
  }
  return older.slice(0, MAX_OLDER_WEBHOOK_SECRETS);
}

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

  /** Secrets replaced before the previous one, newest first, each signing until its own overlap ends. */
  @Column('jsonb', { name: 'older_secrets', default: () => "'[]'" })
  olderSecrets!: RetiredWebhookSecret[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
