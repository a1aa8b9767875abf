import type { PageQuery } from './common';
import type { WebhookEventType } from './events';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 500;

/** Why an endpoint stopped receiving deliveries; null while it is enabled. */
export const WEBHOOK_DISABLED_REASONS = ['manual', 'gone', 'failing'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

export interface WebhookEndpoint {
  id: string;
  appId: string;
  url: string;
  description: string | null;
  /** Set: only events about this customer's keys reach the endpoint. */
  customerId: string | null;
  /** Event types delivered to this endpoint; empty = every type. */
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** `gone`: the receiver answered 410; `failing`: every delivery failed for days; `manual`: PATCH enabled=false. */
  disabledReason: WebhookDisabledReason | null;
  /** Human-readable explanation of the disabling. */
  disabledMessage: string | null;
  disabledAt: string | null;
  /** Start of the current run of failed attempts; null when the last attempt succeeded. */
  failingSince: string | null;
  /** Until then, deliveries are signed with the previous secret as well (after a rotation). */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Create and rotate-secret answers carry the `whsec_` secret once, and never again. */
export interface WithWebhookSecret {
  secret: string;
}

export interface CreateWebhookRequest {
  appId: string;
  /** http(s), no credentials, at most 2048 characters. */
  url: string;
  description?: string;
  eventTypes?: WebhookEventType[];
  /** Only events about this customer's keys are delivered (`cus_…`). */
  customerId?: string;
}

export interface UpdateWebhookRequest {
  url?: string;
  description?: string | null;
  eventTypes?: WebhookEventType[];
  /** true re-enables a disabled endpoint (and clears its failure state). */
  enabled?: boolean;
}

export interface ListWebhooksQuery extends PageQuery {
  appId?: string;
  customerId?: string;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  attemptedAt: string;
  /** null when no response came (timeout, refused connection, refused target). */
  statusCode: number | null;
  latencyMs: number;
  /** First 1 KiB of the response body. */
  responseBody: string | null;
  error: string | null;
}

/** One event for one endpoint, with every attempt made so far (oldest first). */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  createdAt: string;
  updatedAt: string;
  attemptLog: WebhookAttempt[];
}

export interface ListDeliveriesQuery extends PageQuery {
  status?: WebhookDeliveryStatus;
}

/** `webhook.test`: sent by POST /v1/webhooks/:id/test to that endpoint only. */
export interface WebhookTestData {
  endpointId: string;
  message: string;
}

/** BullMQ job of one delivery attempt cycle; jobId = deliveryId. The database holds the rest. */
export interface WebhookDeliveryJob {
  deliveryId: string;
}
