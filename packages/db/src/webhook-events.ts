import { newId, type WebhookEventType } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import type { Queryable } from './repositories/queryable';

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
 * The customer whose endpoints hear about a key (its events and alerts): none for a canary,
 * whose customer must not learn it is a decoy, so they go to the app-wide endpoints only.
 */
export function customerAudienceOf(key: { canary: boolean; customerId: string | null }): string | null {
  return key.canary ? null : key.customerId;
}

/**
 * Writes an event to the outbox in the caller's transaction. Returns its id, or null when
 * an event with the same dedupe key already exists.
 */
export async function recordWebhookEvent(manager: EntityManager, event: NewWebhookEvent): Promise<string | null> {
  const [id] = await recordWebhookEvents(manager, [event]);
  return id ?? null;
}

/** Many events in one statement (bulk operations); returns the ids of those recorded. */
export async function recordWebhookEvents(manager: EntityManager, events: NewWebhookEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const now = new Date();
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO webhook_events (id, workspace_id, app_id, type, data, occurred_at, dedupe_key, customer_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::text[], $8::text[])
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      events.map(() => newId('webhookEvent')),
      events.map((event) => event.workspaceId),
      events.map((event) => event.appId),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => event.occurredAt ?? now),
      events.map((event) => event.dedupeKey ?? null),
      events.map((event) => event.customerId ?? null),
    ],
  );
  return rows.map((row) => row.id);
}

export interface UndispatchedEvent {
  id: string;
  workspace_id: string;
  app_id: string;
  /** The customer of the key the event is about. */
  customer_id: string | null;
  type: WebhookEventType;
}

/** The oldest events not yet fanned out, locked for the caller's transaction (several workers share the work). */
export function claimUndispatchedEvents(db: Queryable, limit: number): Promise<UndispatchedEvent[]> {
  return db.query(
    `SELECT id, workspace_id, app_id, customer_id, type FROM webhook_events
      WHERE dispatched_at IS NULL ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
}

export async function markEventsDispatched(db: Queryable, eventIds: string[]): Promise<void> {
  await db.query(`UPDATE webhook_events SET dispatched_at = now() WHERE id = ANY($1)`, [eventIds]);
}
