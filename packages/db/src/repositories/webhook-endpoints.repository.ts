import type { WebhookEventType } from '@keywarden/core';
import type { Queryable } from './queryable';

/**
 * webhook_endpoints as the worker reads and updates it (fan-out, failure tracking); the
 * API manages endpoints through WebhookEndpointEntity.
 */

export interface EndpointSubscription {
  id: string;
  app_id: string;
  /** Set: only events about this customer's keys. */
  customer_id: string | null;
  event_types: WebhookEventType[];
}

/** Enabled endpoints of these apps, with the event types they take (empty: all) and their customer. */
export function enabledEndpointsOfApps(db: Queryable, appIds: string[]): Promise<EndpointSubscription[]> {
  return db.query(`SELECT id, app_id, customer_id, event_types FROM webhook_endpoints WHERE enabled AND app_id = ANY($1)`, [appIds]);
}

/** Disabled by the worker: answered 410 Gone, or failed every attempt for too long. */
export async function disableEndpoint(
  db: Queryable,
  endpointId: string,
  disable: { reason: 'gone' | 'failing'; message: string; at: Date; failingSince: Date },
): Promise<void> {
  await db.query(
    `UPDATE webhook_endpoints
        SET enabled = false, disabled_reason = $2, disabled_message = $3, disabled_at = $4, failing_since = $5, updated_at = now()
      WHERE id = $1 AND enabled`,
    [endpointId, disable.reason, disable.message, disable.at, disable.failingSince],
  );
}

/** The first failed attempt of a failing streak. */
export async function markEndpointFailing(db: Queryable, endpointId: string, since: Date): Promise<void> {
  await db.query(`UPDATE webhook_endpoints SET failing_since = $2, updated_at = now() WHERE id = $1 AND failing_since IS NULL`, [
    endpointId,
    since,
  ]);
}
