import type {
  AlertEvidence,
  AlertResolution,
  AlertSeverity,
  AlertStatus,
  AlertType,
} from '@keywarden/core';
import { Column, CreateDateColumn, Entity, type EntityManager, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('alerts')
export class AlertEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'workspace_id' })
  workspaceId!: string;

  @Column('text', { name: 'app_id' })
  appId!: string;

  @Column('text', { name: 'key_id' })
  keyId!: string;

  /** The customer holding the key when the alert opened. */
  @Column('text', { name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column('text', { nullable: true })
  model!: string | null;

  @Column('text')
  type!: AlertType;

  @Column('text')
  fingerprint!: string;

  @Column('text')
  status!: AlertStatus;

  @Column('text')
  severity!: AlertSeverity;

  @Column('jsonb')
  evidence!: AlertEvidence;

  @Column('timestamptz', { name: 'first_detected_at' })
  firstDetectedAt!: Date;

  @Column('timestamptz', { name: 'last_detected_at' })
  lastDetectedAt!: Date;

  @Column('integer')
  occurrences!: number;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column('text', { name: 'acknowledged_by', nullable: true })
  acknowledgedBy!: string | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('text', { name: 'resolved_by', nullable: true })
  resolvedBy!: string | null;

  @Column('text', { nullable: true })
  resolution!: AlertResolution | null;

  /** Resolved by an admin: the detector forgets the incident on the app's next step. */
  @Column('boolean', { name: 'incident_close_pending' })
  incidentClosePending!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** What opening an alert decides; the rest starts empty (not acknowledged, not resolved). */
export type NewAlert = Pick<
  AlertEntity,
  'id' | 'workspaceId' | 'appId' | 'keyId' | 'model' | 'type' | 'fingerprint' | 'severity' | 'evidence' | 'firstDetectedAt'
> &
  Partial<Pick<AlertEntity, 'customerId'>>;

/** An open alert row, not yet saved. */
export function newAlertRow(manager: EntityManager, alert: NewAlert): AlertEntity {
  return manager.create(AlertEntity, {
    ...alert,
    customerId: alert.customerId ?? null,
    status: 'open',
    lastDetectedAt: alert.firstDetectedAt,
    occurrences: 1,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    incidentClosePending: false,
  });
}
