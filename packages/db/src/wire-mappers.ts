import {
  type AdminKey,
  type Alert,
  type App,
  appDetectionSettings,
  type AppKey,
  type AuditEntry,
  type Customer,
  DEFAULT_APP_CONTAINMENT,
  displayStatus,
  type KeySecretVersion,
  rotationDeadline,
  toWireCustomerPolicy,
  toWirePolicy,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '@keywarden/core';
import type { AlertEntity } from './entities/alert.entity';
import type { ApiKeyEntity } from './entities/api-key.entity';
import type { AppEntity } from './entities/app.entity';
import type { AuditLogEntity } from './entities/audit-log.entity';
import type { CustomerEntity } from './entities/customer.entity';
import type { KeySecretEntity } from './entities/key-secret.entity';
import type { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import type { AttemptRow, DeliveryRow } from './repositories/webhook-deliveries.repository';

/**
 * Every stored row → wire type mapping, in one place: what the API answers and what
 * webhook events carry are built here and nowhere else.
 */

export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function toApp(row: AppEntity): App {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    businessHours: row.businessHours,
    scopeCatalog: row.scopeCatalog,
    environments: row.environments,
    defaultPolicy: toWirePolicy(row.defaultPolicy),
    detection: appDetectionSettings(row.detectionSettings),
    portal: row.portal,
    leakResponse: row.leakResponse,
    containment: { ...DEFAULT_APP_CONTAINMENT, ...row.containment },
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** A key with the secret versions that still open it, newest first. */
export interface KeyWithSecrets {
  row: ApiKeyEntity;
  secrets: KeySecretEntity[];
  /** The rotation period in force (the key's own, else its app default's); null: none. */
  rotationPeriodDays: number | null;
}

export function secretVersions(secrets: KeySecretEntity[]): KeySecretVersion[] {
  return secrets.map((secret) => ({
    prefix: secret.prefix,
    createdAt: iso(secret.createdAt),
    expiresAt: iso(secret.expiresAt),
    current: secret.expiresAt === null,
  }));
}

/** The display prefix of the current secret (the one without a deadline), else of the newest. */
export function currentPrefix(secrets: KeySecretEntity[]): string {
  return (secrets.find((secret) => secret.expiresAt === null) ?? secrets[0])?.prefix ?? '';
}

/** When the current secret outlives the rotation period (verify answers KEY_EXPIRED from then on). */
function currentRotationDeadline(secrets: KeySecretEntity[], rotationPeriodDays: number | null): Date | null {
  const current = secrets.find((secret) => secret.expiresAt === null);
  return current ? rotationDeadline(current.createdAt, rotationPeriodDays) : null;
}

export function toAppKey({ row, secrets, rotationPeriodDays }: KeyWithSecrets, now = new Date()): AppKey {
  return {
    id: row.id,
    appId: row.appId as string,
    environment: row.environment,
    name: row.name,
    description: row.description,
    group: row.group,
    prefix: currentPrefix(secrets),
    scopes: row.scopes,
    metadata: row.metadata,
    status: displayStatus(row.status, row.expiresAt, now, currentRotationDeadline(secrets, rotationPeriodDays)),
    createdAt: iso(row.createdAt),
    createdBy: row.createdBy ?? '',
    updatedAt: iso(row.updatedAt),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    policy: toWirePolicy(row.policy),
    customerId: row.customerId,
    secrets: secretVersions(secrets),
    canary: row.canary,
    containment: row.containment,
  };
}

/** `lastOwnerKeyId`: the workspace's last live owner key (`lastLiveOwnerKeyId`), if it has only one. */
export function toAdminKey({ row, secrets, rotationPeriodDays }: KeyWithSecrets, lastOwnerKeyId: string | null, now = new Date()): AdminKey {
  return {
    id: row.id,
    name: row.name,
    prefix: currentPrefix(secrets),
    role: row.role,
    scopes: row.scopes,
    appIds: row.appIds,
    status: displayStatus(row.status, row.expiresAt, now, currentRotationDeadline(secrets, rotationPeriodDays)),
    createdAt: iso(row.createdAt),
    createdBy: row.createdBy,
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    policy: toWirePolicy(row.policy),
    lastOwner: row.id === lastOwnerKeyId,
  };
}

/** The previous secret is shown only while it still signs alongside the current one. */
export function toWebhookEndpoint(row: WebhookEndpointEntity, now = new Date()): WebhookEndpoint {
  const overlapping = row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
  return {
    id: row.id,
    appId: row.appId,
    url: row.url,
    description: row.description,
    customerId: row.customerId,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledMessage: row.disabledMessage,
    disabledAt: iso(row.disabledAt),
    failingSince: iso(row.failingSince),
    previousSecretExpiresAt: overlapping ? iso(row.previousSecretExpiresAt) : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function toWebhookAttempt(row: AttemptRow): WebhookAttempt {
  return {
    attemptedAt: iso(row.attempted_at),
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    responseBody: row.response_body,
    error: row.error,
  };
}

/** `attempts` may hold other deliveries' attempts too (one query for a page). */
export function toWebhookDelivery(row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastStatusCode: row.last_status_code,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    attemptLog: attempts.filter((attempt) => attempt.delivery_id === row.id).map(toWebhookAttempt),
  };
}

/** The alert as the API shows it, and as `alert.*` webhook events carry it. */
export function toAlert(row: AlertEntity): Alert {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    appId: row.appId,
    keyId: row.keyId,
    customerId: row.customerId,
    model: row.model,
    fingerprint: row.fingerprint,
    severity: row.severity,
    evidence: row.evidence,
    detectedAt: row.firstDetectedAt.toISOString(),
    lastDetectedAt: row.lastDetectedAt.toISOString(),
    occurrences: row.occurrences,
    acknowledgedAt: iso(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: iso(row.resolvedAt),
    resolvedBy: row.resolvedBy,
    resolution: row.resolution,
  };
}

export function toAuditEntry(row: AuditLogEntity): AuditEntry {
  return {
    id: row.id,
    action: row.action,
    actorKeyId: row.actorKeyId,
    actor: row.actor,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    requestId: row.requestId,
    createdAt: iso(row.createdAt),
    details: row.details,
  };
}

export function toCustomer(row: CustomerEntity): Customer {
  return {
    id: row.id,
    externalId: row.externalId,
    name: row.name,
    metadata: row.metadata,
    status: row.status,
    policy: toWireCustomerPolicy(row.policy),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
