import { newId, type WebhookEventType } from '@keywarden/core';
import type { EntityManager } from 'typeorm';

export interface NewWebhookEvent {
  workspaceId: string;
  appId: string;
  /** The customer of the key the event is about: customer-scoped endpoints receive only theirs. */
  customerId?: string | null;
  type: WebhookEventType;
  /** The payload's `data`; callers pass no key material. */
  data: object;
  occurredAt?: Date;
  /** Events with the same dedupe key are recorded once (e.g. `usage.limit_reached:key_…:2026-11-26`). */
  dedupeKey?: string;
}

/**
 * Writes an event to the outbox in the caller's transaction. Returns its id, or null when
 * an event with the same dedupe key already exists.
 */
export async function recordWebhookEvent(manager: EntityManager, event: NewWebhookEvent): Promise<string | null> {
  const id = newId('webhookEvent');
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO webhook_events (id, workspace_id, app_id, type, data, occurred_at, dedupe_key, customer_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [id, event.workspaceId, event.appId, event.type, JSON.stringify(event.data), event.occurredAt ?? new Date(), event.dedupeKey ?? null, event.customerId ?? null],
  );
  return rows.length > 0 ? rows[0].id : null;
}
