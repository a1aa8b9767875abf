import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  deriveSecretBoxKey,
  nextRetryDelay,
  openSecret,
  parseRetryAfter,
  WEBHOOK_HEADERS,
  type WebhookEventType,
  type WebhookPayload,
  webhookSecretBytes,
  webhookSignatureHeader,
} from '@keywarden/core';
import {
  type AttemptOutcome,
  type DeliveryContext,
  deliveryContexts,
  disableEndpoint,
  failUnattempted,
  logFailedAttempt,
  markEndpointFailing,
  recordSuccessfulAttempts,
  settleFailedAttempt,
} from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import type { WebhookConfig } from '../config/worker-config';
import { MetricsService } from '../metrics/metrics.service';
import { Batched } from './batched';
import { EndpointSlots } from './endpoint-slots';
import { type SendOutcome, WebhookSender } from './webhook-sender';
import { WEBHOOK_CONFIG } from './webhooks.tokens';

interface Success {
  delivery: DeliveryContext;
  attemptedAt: Date;
  outcome: SendOutcome;
}

/** Jobs finishing within this window share one database round trip. */
const BATCH_WINDOW_MS = 5;
const BATCH_MAX = 200;
/** Opened endpoint secrets kept in memory at most. */
const OPENED_SECRETS_MAX = 10_000;

/** What the queue job does next. */
export type AttemptResult = { next: 'done' } | { next: 'retry'; at: number };

const DONE: AttemptResult = { next: 'done' };
/** A redelivery asked for while the attempt was in flight: the same job runs again now. */
const AGAIN_NOW = (): AttemptResult => ({ next: 'retry', at: Date.now() });
/** A delivery whose endpoint is at its cap of attempts in flight waits this long. */
const ENDPOINT_BUSY_RETRY_MS = 250;

function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

function attemptOutcome(delivery: DeliveryContext, attemptedAt: Date, outcome: SendOutcome): AttemptOutcome {
  return {
    deliveryId: delivery.id,
    redeliveries: delivery.redeliveries,
    attemptedAt,
    statusCode: outcome.statusCode,
    latencyMs: outcome.latencyMs,
    responseBody: outcome.responseBody,
    error: outcome.error,
  };
}

/** The body every endpoint gets for an event, the same bytes on every attempt. */
export function payloadOf(type: WebhookEventType, occurredAt: Date, data: Record<string, unknown>): string {
  const payload: WebhookPayload = { type, timestamp: occurredAt.toISOString(), data };
  return JSON.stringify(payload);
}

/**
 * One attempt of one delivery: sign (with the previous secret too while a rotation
 * overlaps), send, log the attempt, then decide: delivered, retry later (schedule,
 * Retry-After on 429/503), or give up (schedule used up, 410 Gone, endpoint failing
 * for too long, endpoint disabled).
 */
@Injectable()
export class WebhookDeliveryService implements OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDelivery');
  private readonly sender: WebhookSender;
  private readonly endpointSlots: EndpointSlots;
  private readonly secretKey: Buffer;
  private readonly openedSecrets = new Map<string, Buffer>();
  private readonly loads = new Batched((ids: string[]) => this.loadMany(ids), BATCH_WINDOW_MS, BATCH_MAX);
  private readonly successes = new Batched((batch: Success[]) => this.recordSuccesses(batch), BATCH_WINDOW_MS, BATCH_MAX);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookConfig,
    private readonly metrics: MetricsService,
  ) {
    this.sender = new WebhookSender({
      timeoutMs: config.timeoutMs,
      allowPrivateTargets: config.allowPrivateTargets,
      maxSockets: config.concurrency,
    });
    this.secretKey = deriveSecretBoxKey(config.pepper);
    this.endpointSlots = EndpointSlots.forConcurrency(config.concurrency);
  }

  async attempt(deliveryId: string): Promise<AttemptResult> {
    const delivery = await this.loads.submit(deliveryId);
    // Gone (endpoint deleted) or already settled (a duplicate job after a redelivery race).
    if (!delivery || delivery.status !== 'pending') return DONE;
    if (!delivery.enabled) {
      await failUnattempted(this.dataSource, delivery.id);
      return DONE;
    }

    // The endpoint already has its share of attempts in flight: try again shortly,
    // without an attempt, so its slowness does not take every slot from other endpoints.
    if (!this.endpointSlots.tryTake(delivery.endpoint_id)) return { next: 'retry', at: Date.now() + ENDPOINT_BUSY_RETRY_MS };
    try {
      return await this.attemptWithSlot(delivery);
    } finally {
      this.endpointSlots.release(delivery.endpoint_id);
    }
  }

  private async attemptWithSlot(delivery: DeliveryContext): Promise<AttemptResult> {
    const attemptedAt = new Date();
    const body = payloadOf(delivery.event_type, delivery.occurred_at, delivery.event_data);
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Keywarden-Webhooks/1',
      [WEBHOOK_HEADERS.id]: delivery.event_id,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: webhookSignatureHeader(this.signingSecrets(delivery, attemptedAt), delivery.event_id, timestamp, body),
    };
    const outcome = await this.sender.send({ url: delivery.url, headers, body });
    this.metrics.webhookAttempts.inc({ result: isSuccess(outcome.statusCode) ? 'delivered' : 'failed' });
    this.metrics.webhookAttemptDuration.observe(outcome.latencyMs / 1000);
    if (isSuccess(outcome.statusCode)) {
      const redelivered = await this.successes.submit({ delivery, attemptedAt, outcome });
      return redelivered ? AGAIN_NOW() : DONE;
    }
    return this.dataSource.transaction((manager) => this.recordFailure(manager, delivery, attemptedAt, outcome));
  }

  /** Current secret, plus the previous one and any older one, each until its overlap ends. */
  private signingSecrets(delivery: DeliveryContext, now: Date): Buffer[] {
    const secrets = [this.opened(delivery.secret_sealed, delivery.endpoint_id)];
    if (delivery.previous_secret_sealed && delivery.previous_secret_expires_at && delivery.previous_secret_expires_at > now) {
      secrets.push(this.opened(delivery.previous_secret_sealed, delivery.endpoint_id));
    }
    for (const older of delivery.older_secrets ?? []) {
      if (Date.parse(older.expiresAt) > now.getTime()) secrets.push(this.opened(older.sealed, delivery.endpoint_id));
    }
    return secrets;
  }

  /**
   * Opening a sealed secret (an AES-GCM decipher) cost more than the rest of the signing;
   * opened secrets are kept by their sealed form, which changes with every rotation.
   */
  private opened(sealed: string, endpointId: string): Buffer {
    let secret = this.openedSecrets.get(sealed);
    if (!secret) {
      if (this.openedSecrets.size >= OPENED_SECRETS_MAX) this.openedSecrets.clear();
      secret = webhookSecretBytes(openSecret(this.secretKey, sealed, endpointId));
      this.openedSecrets.set(sealed, secret);
    }
    return secret;
  }

  /** Delivery, event and endpoint of many jobs in one query. */
  private async loadMany(deliveryIds: string[]): Promise<Array<DeliveryContext | undefined>> {
    const rows = await deliveryContexts(this.dataSource, deliveryIds);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return deliveryIds.map((id) => byId.get(id));
  }

  /**
   * The hot path: many successful attempts in one statement. Each job completes only once
   * its row has committed; true for a delivery redelivered while its attempt was in flight.
   */
  private async recordSuccesses(successes: Success[]): Promise<boolean[]> {
    const redelivered = await recordSuccessfulAttempts(
      this.dataSource,
      successes.map(({ delivery, attemptedAt, outcome }) => ({ ...attemptOutcome(delivery, attemptedAt, outcome), endpointId: delivery.endpoint_id })),
    );
    return successes.map(({ delivery }) => redelivered.has(delivery.id));
  }

  private async recordFailure(
    manager: EntityManager,
    delivery: DeliveryContext,
    attemptedAt: Date,
    outcome: SendOutcome,
  ): Promise<AttemptResult> {
    const attempt = attemptOutcome(delivery, attemptedAt, outcome);
    await logFailedAttempt(manager, attempt);
    const failingSince = delivery.failing_since ?? attemptedAt;
    let disable: { reason: 'gone' | 'failing'; message: string } | null = null;
    if (outcome.statusCode === 410) {
      disable = { reason: 'gone', message: `The endpoint answered 410 Gone at ${attemptedAt.toISOString()}` };
    } else if (attemptedAt.getTime() - failingSince.getTime() >= this.config.disableAfterFailingMs) {
      disable = { reason: 'failing', message: `Every delivery attempt failed since ${failingSince.toISOString()}` };
    }
    // The streak was read when the attempt began: a success since then leaves it enabled.
    const disabled = disable !== null && (await disableEndpoint(manager, delivery.endpoint_id, { ...disable, at: attemptedAt, failingSince }));
    if (disabled) {
      this.logger.warn({ endpointId: delivery.endpoint_id, reason: disable?.reason }, 'webhook endpoint disabled');
    } else {
      // The first failure of a streak, or the first since a success ended one.
      await markEndpointFailing(manager, delivery.endpoint_id, attemptedAt);
    }

    const honoursRetryAfter = outcome.statusCode === 429 || outcome.statusCode === 503;
    // Gone is final even when the endpoint was disabled already; a streak a success ended is not.
    const delay = disabled || disable?.reason === 'gone'
      ? null
      : nextRetryDelay({
          retryIndex: delivery.retry_index,
          schedule: this.config.retryScheduleMs,
          retryAfterMs: honoursRetryAfter ? parseRetryAfter(outcome.retryAfter, attemptedAt.getTime()) : null,
          random: Math.random(),
        });
    const nextAt = delay === null ? null : new Date(Date.now() + delay);
    if (await settleFailedAttempt(manager, attempt, nextAt)) return AGAIN_NOW();
    return nextAt ? { next: 'retry', at: nextAt.getTime() } : DONE;
  }

  /** After the queue worker has stopped (onModuleDestroy), so no attempt loses its sockets. */
  onApplicationShutdown(): void {
    this.sender.close();
  }
}
