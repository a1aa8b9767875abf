import type { ListWebhooksQuery, WebhookEventType } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import { type CustomerScope, type Queryable, type WorkspaceReader, workspacePage } from './queryable';

/**
 * webhook_endpoints: what the worker reads and updates (fan-out, failure tracking), and
 * the API's listing and portal checks; the API writes endpoints through WebhookEndpointEntity.
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

/**
 * Disabled by the worker: answered 410 Gone, or failed every attempt for too long. A
 * `failing` disable holds only while the streak it counted from is still the endpoint's: a
 * success recorded while the last failing attempt was in flight has ended it. Answers
 * whether the endpoint was disabled.
 */
export async function disableEndpoint(
  db: Queryable,
  endpointId: string,
  disable: { reason: 'gone' | 'failing'; message: string; at: Date; failingSince: Date },
): Promise<boolean> {
  // TypeORM answers an UPDATE with [rows, affectedCount]. The streak start read back is
  // whole milliseconds, the column keeps microseconds.
  const [, disabled]: [unknown[], number] = await db.query(
    `UPDATE webhook_endpoints
        SET enabled = false, disabled_reason = $2, disabled_message = $3, disabled_at = $4, failing_since = $5, updated_at = now()
      WHERE id = $1 AND enabled AND ($2 = 'gone' OR date_trunc('milliseconds', failing_since) <= $5)`,
    [endpointId, disable.reason, disable.message, disable.at, disable.failingSince],
  );
  return disabled > 0;
}

/** The first failed attempt of a failing streak. */
export async function markEndpointFailing(db: Queryable, endpointId: string, since: Date): Promise<void> {
  await db.query(`UPDATE webhook_endpoints SET failing_since = $2, updated_at = now() WHERE id = $1 AND failing_since IS NULL`, [
    endpointId,
    since,
  ]);
}

/** The apps of the customer's scoped endpoints: what deleting the customer deletes endpoints of. */
export async function appsOfCustomerEndpoints(db: Queryable, customerId: string): Promise<string[]> {
  const rows: Array<{ app_id: string }> = await db.query(
    `SELECT DISTINCT app_id FROM webhook_endpoints WHERE customer_id = $1 ORDER BY app_id`,
    [customerId],
  );
  return rows.map(({ app_id }) => app_id);
}

/** Whether the endpoint is scoped to this customer in the workspace (and to `appId`, when given). */
export async function isCustomerEndpoint(db: Queryable, endpointId: string, holder: CustomerScope): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM webhook_endpoints WHERE id = $1 AND workspace_id = $2 AND customer_id = $3 AND ($4::text IS NULL OR app_id = $4)`,
    [endpointId, holder.workspaceId, holder.customerId, holder.appId],
  );
  return rows.length > 0;
}

/** One page of endpoints (see `workspacePage`). */
export function endpointsPage(db: EntityManager, reader: WorkspaceReader, query: ListWebhooksQuery, limit: number): Promise<WebhookEndpointEntity[]> {
  const builder = workspacePage(db, WebhookEndpointEntity, 'w', reader.workspaceId, { query, limit });
  if (reader.appIds !== null) builder.andWhere('w.app_id = ANY(:appIds)', { appIds: reader.appIds });
  if (query.appId) builder.andWhere('w.app_id = :appId', { appId: query.appId });
  if (query.customerId) builder.andWhere('w.customer_id = :customerId', { customerId: query.customerId });
  return builder.getMany();
}
