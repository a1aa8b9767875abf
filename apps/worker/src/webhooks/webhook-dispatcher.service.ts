import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JOBS, newId, QUEUES, type WebhookDeliveryJob } from '@keywarden/core';
import {
  claimDeliveriesToEnqueue,
  claimUndispatchedEvents,
  enabledEndpointsOfApps,
  type EndpointSubscription,
  insertDeliveries,
  markDeliveriesEnqueued,
  markEventsDispatched,
  type UndispatchedEvent,
} from '@keywarden/db';
import type { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { WebhookConfig } from '../config/worker-config';
import { WEBHOOK_CONFIG } from './webhooks.tokens';

/** A pending delivery whose attempt is this late has lost its job (Redis flushed, job failed on an outage): it gets a new one. */
const LOST_JOB_AFTER = '10 minutes';

/** Infrastructure errors (PostgreSQL away) get a few quick job retries; receiver failures follow the delivery schedule instead. */
const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * Whether an endpoint receives an event: same app, a subscribed type, and for an endpoint
 * scoped to a customer, an event about that customer's key (events about no customer's key
 * never reach it).
 */
export function endpointReceives(endpoint: EndpointSubscription, event: UndispatchedEvent): boolean {
  return (
    endpoint.app_id === event.app_id &&
    (endpoint.customer_id === null || endpoint.customer_id === event.customer_id) &&
    (endpoint.event_types.length === 0 || endpoint.event_types.includes(event.type))
  );
}

/**
 * Turns outbox events into deliveries and deliveries into queue jobs, polling every
 * KW_WEBHOOK_POLL_MS:
 * 1. claims undispatched events (FOR UPDATE SKIP LOCKED, so several workers share the
 *    work), creates one delivery per matching enabled endpoint, marks the events
 *    dispatched — one transaction;
 * 2. enqueues deliveries that have no job yet (new ones, test events, redeliveries,
 *    lost jobs) and marks them enqueued — the job is added before the mark commits, so
 *    a crash in between only re-adds a job id that BullMQ already has.
 */
@Injectable()
export class WebhookDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue<WebhookDeliveryJob>,
    @Inject(WEBHOOK_CONFIG) private readonly config: WebhookConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let busy = false;
    try {
      const dispatched = await this.dispatchEvents();
      const enqueued = await this.enqueueDue();
      // A full batch means more is waiting: go again at once.
      busy = dispatched >= this.config.dispatchBatch || enqueued >= this.config.dispatchBatch;
    } catch (error) {
      // One line, as the worker's other periodic steps log theirs: during a database outage
      // this repeats every poll, and a stack each time buried the log.
      this.logger.error(`webhook dispatch failed, retrying at the next poll: ${(error as Error).message}`);
    }
    this.schedule(busy ? 0 : this.config.pollMs);
  }

  /** Step 1: events → deliveries. Returns the number of events claimed. */
  async dispatchEvents(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = await claimUndispatchedEvents(manager, this.config.dispatchBatch);
      if (events.length === 0) return 0;
      const endpoints = await enabledEndpointsOfApps(manager, [...new Set(events.map((event) => event.app_id))]);
      const rows = events.flatMap((event) =>
        endpoints
          .filter((endpoint) => endpointReceives(endpoint, event))
          .map((endpoint) => ({ id: newId('webhookDelivery'), workspaceId: event.workspace_id, endpointId: endpoint.id, eventId: event.id })),
      );
      await insertDeliveries(manager, rows);
      await markEventsDispatched(manager, events.map((event) => event.id));
      return events.length;
    });
  }

  /** Step 2: deliveries without a job → jobs. Returns the number enqueued. */
  async enqueueDue(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await claimDeliveriesToEnqueue(manager, this.config.dispatchBatch, LOST_JOB_AFTER);
      if (due.length === 0) return 0;
      await this.queue.addBulk(
        due.map((delivery) => ({
          name: JOBS.webhookDelivery,
          data: { deliveryId: delivery.id },
          opts: { ...JOB_OPTIONS, jobId: delivery.id, delay: delivery.delay_ms },
        })),
      );
      // A redelivery of a delivery whose job is parked until a later retry: bring it forward.
      for (const delivery of due.filter((d) => d.attempts > 0 && d.delay_ms === 0)) {
        const job = await this.queue.getJob(delivery.id);
        if (job && (await job.isDelayed())) await job.promote();
      }
      await markDeliveriesEnqueued(manager, due.map((d) => d.id));
      return due.length;
    });
  }
}
