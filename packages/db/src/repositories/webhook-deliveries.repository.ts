import type { WebhookDeliveryStatus, WebhookEventType } from '@keywarden/core';
import type { Queryable } from './queryable';

/**
 * webhook_deliveries and webhook_attempts: every statement on them, for the API (test
 * events, delivery log, redelivery) and the worker (fan-out, enqueueing, attempts).
 */

export interface NewDelivery {
  id: string;
  workspaceId: string;
  endpointId: string;
  eventId: string;
}

/** A delivery as the delivery log shows it (with its event's type). */
export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

/** What one attempt needs: the delivery, its event and its endpoint. */
export interface DeliveryContext {
  id: string;
  status: string;
  retry_index: number;
  event_id: string;
  event_type: WebhookEventType;
  event_data: Record<string, unknown>;
  occurred_at: Date;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  /** Secrets replaced before the previous one, each signing until its `expiresAt`. */
  older_secrets: Array<{ sealed: string; expiresAt: string }>;
  failing_since: Date | null;
  /** Redeliveries asked for so far: one asked for during the attempt changes it. */
  redeliveries: number;
}

export interface DueDelivery {
  id: string;
  attempts: number;
  delay_ms: number;
}

export interface AttemptOutcome {
  deliveryId: string;
  /** The delivery's redelivery count when the attempt began. */
  redeliveries: number;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_id, e.type AS event_type, d.status, d.attempts,
  d.next_attempt_at, d.last_status_code, d.created_at, d.updated_at`;

/** New deliveries, due now; a delivery of the same event to the same endpoint is made once. */
export async function insertDeliveries(db: Queryable, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, next_attempt_at)
     SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
    [rows.map((r) => r.id), rows.map((r) => r.workspaceId), rows.map((r) => r.endpointId), rows.map((r) => r.eventId)],
  );
}

/** One page (`take` rows) of an endpoint's deliveries, newest first. */
export function deliveriesOfEndpoint(
  db: Queryable,
  endpointId: string,
  filter: { status?: WebhookDeliveryStatus; cursor?: string; take: number },
): Promise<DeliveryRow[]> {
  const params: unknown[] = [endpointId, filter.take];
  let filters = '';
  if (filter.status) filters += ` AND d.status = $${params.push(filter.status)}`;
  if (filter.cursor) filters += ` AND d.id < $${params.push(filter.cursor)}`;
  return db.query(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE d.endpoint_id = $1${filters} ORDER BY d.id DESC LIMIT $2`,
    params,
  );
}

export async function deliveryById(db: Queryable, deliveryId: string): Promise<DeliveryRow | undefined> {
  const rows: DeliveryRow[] = await db.query(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1`,
    [deliveryId],
  );
  return rows[0];
}

/** The attempts of these deliveries, oldest first. */
export async function attemptsOf(db: Queryable, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db.query(
    `SELECT delivery_id, attempted_at, status_code, latency_ms, response_body, error
       FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY id`,
    [deliveryIds],
  );
}

/**
 * One more attempt now with a fresh retry schedule; false when the endpoint has no such
 * delivery. An attempt in flight meanwhile sees the count change and leaves the delivery pending.
 */
export async function scheduleRedelivery(db: Queryable, deliveryId: string, endpointId: string): Promise<boolean> {
  const [, updated]: [unknown, number] = await db.query(
    `UPDATE webhook_deliveries
        SET status = 'pending', retry_index = 0, next_attempt_at = now(), enqueued_at = NULL, redeliveries = redeliveries + 1, updated_at = now()
      WHERE id = $1 AND endpoint_id = $2`,
    [deliveryId, endpointId],
  );
  return updated > 0;
}

/**
 * Pending deliveries that have no queue job yet, or whose job was lost (its attempt is
 * `lostAfter` late), locked for the caller's transaction (several workers share the work).
 */
export function claimDeliveriesToEnqueue(db: Queryable, limit: number, lostAfter: string): Promise<DueDelivery[]> {
  return db.query(
    `SELECT id, attempts, GREATEST(0, (EXTRACT(EPOCH FROM next_attempt_at - now()) * 1000))::int AS delay_ms
       FROM webhook_deliveries
      WHERE status = 'pending' AND (enqueued_at IS NULL OR next_attempt_at < now() - $2::interval)
      ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit, lostAfter],
  );
}

export async function markDeliveriesEnqueued(db: Queryable, deliveryIds: string[]): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET enqueued_at = now() WHERE id = ANY($1)`, [deliveryIds]);
}

/** Delivery, event and endpoint of many deliveries in one query (missing ones are left out). */
export function deliveryContexts(db: Queryable, deliveryIds: string[]): Promise<DeliveryContext[]> {
  return db.query(
    `SELECT d.id, d.status, d.retry_index, e.id AS event_id, e.type AS event_type, e.data AS event_data, e.occurred_at,
            ep.id AS endpoint_id, ep.url, ep.enabled, ep.secret_sealed, ep.previous_secret_sealed,
            ep.previous_secret_expires_at, ep.older_secrets, ep.failing_since, d.redeliveries
       FROM webhook_deliveries d
       JOIN webhook_events e ON e.id = d.event_id
       JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
      WHERE d.id = ANY($1)`,
    [deliveryIds],
  );
}

/** A pending delivery whose endpoint is disabled ends failed, unattempted. */
export async function failUnattempted(db: Queryable, deliveryId: string): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = now() WHERE id = $1 AND status = 'pending'`,
    [deliveryId],
  );
}

/**
 * The hot path: the attempts, the deliveries (succeeded) and their endpoints' failure
 * state (cleared) of many successful attempts, in one statement. A delivery whose
 * endpoint was deleted meanwhile is skipped, not an error for the whole batch. A delivery
 * redelivered while its attempt was in flight stays pending, due now: its ids are returned.
 */
export async function recordSuccessfulAttempts(db: Queryable, attempts: Array<AttemptOutcome & { endpointId: string }>): Promise<Set<string>> {
  const redelivered: Array<{ id: string }> = await db.query(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[], $5::text[], $6::text[], $7::int[])
         AS t(delivery_id, attempted_at, status_code, latency_ms, response_body, endpoint_id, redeliveries)
     ), attempt AS (
       INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_body)
       SELECT i.delivery_id, i.attempted_at, i.status_code, i.latency_ms, i.response_body
         FROM input i JOIN webhook_deliveries d ON d.id = i.delivery_id
     ), endpoint AS (
       UPDATE webhook_endpoints SET failing_since = NULL, updated_at = now()
        WHERE id IN (SELECT endpoint_id FROM input) AND failing_since IS NOT NULL
     ), settled AS (
       UPDATE webhook_deliveries d
          SET status = CASE WHEN d.redeliveries = i.redeliveries THEN 'succeeded' ELSE d.status END,
              next_attempt_at = CASE WHEN d.redeliveries = i.redeliveries THEN NULL ELSE d.next_attempt_at END,
              attempts = d.attempts + 1, last_status_code = i.status_code, last_attempt_at = i.attempted_at, updated_at = now()
         FROM input i WHERE d.id = i.delivery_id
       RETURNING d.id, d.redeliveries <> i.redeliveries AS redelivered
     )
     SELECT id FROM settled WHERE redelivered`,
    [
      attempts.map((a) => a.deliveryId),
      attempts.map((a) => a.attemptedAt),
      attempts.map((a) => a.statusCode),
      attempts.map((a) => a.latencyMs),
      attempts.map((a) => a.responseBody),
      attempts.map((a) => a.endpointId),
      attempts.map((a) => a.redeliveries),
    ],
  );
  return new Set(redelivered.map((row) => row.id));
}

/** A failed attempt, into the delivery's attempt log. */
export async function logFailedAttempt(db: Queryable, attempt: AttemptOutcome): Promise<void> {
  await db.query(
    `INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_body, error)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [attempt.deliveryId, attempt.attemptedAt, attempt.statusCode, attempt.latencyMs, attempt.responseBody, attempt.error],
  );
}

/**
 * After a failed attempt: pending until `nextAttemptAt`, or failed for good when it is
 * null. A delivery redelivered while the attempt was in flight keeps the redelivery's
 * fresh schedule (pending, due now); true then.
 */
export async function settleFailedAttempt(db: Queryable, attempt: AttemptOutcome, nextAttemptAt: Date | null): Promise<boolean> {
  const rows: Array<{ redelivered: boolean }> = await db.query(
    `UPDATE webhook_deliveries
        SET status = CASE WHEN redeliveries = $7 THEN $2 ELSE status END,
            retry_index = CASE WHEN redeliveries = $7 THEN retry_index + $3 ELSE retry_index END,
            next_attempt_at = CASE WHEN redeliveries = $7 THEN $6 ELSE next_attempt_at END,
            attempts = attempts + 1, last_status_code = $4, last_attempt_at = $5, updated_at = now()
      WHERE id = $1
      RETURNING redeliveries <> $7 AS redelivered`,
    [attempt.deliveryId, nextAttemptAt ? 'pending' : 'failed', nextAttemptAt ? 1 : 0, attempt.statusCode, attempt.attemptedAt, nextAttemptAt, attempt.redeliveries],
  );
  return rows[0]?.redelivered ?? false;
}
