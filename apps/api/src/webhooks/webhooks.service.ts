import { Injectable } from '@nestjs/common';
import {
  CUSTOMER_WEBHOOK_EVENT_TYPES,
  newId,
  type Page,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
  type WebhookTestData,
  type WithWebhookSecret,
} from '@keywarden/core';
import {
  attemptsOf,
  deliveriesOfEndpoint,
  deliveryById,
  endpointsPage,
  insertDeliveries,
  markEventsDispatched,
  olderSecretsAfterRotation,
  recordWebhookEvent,
  scheduleRedelivery,
  toWebhookDelivery,
  toWebhookEndpoint,
  WebhookEndpointEntity,
} from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { AppsService } from '../apps/apps.service';
import { type AuditEvent, AuditService } from '../audit/audit.service';
import { CustomersService } from '../customers/customers.service';
import { ApiError } from '../common/api-error';
import { findAppResourceForActor } from '../common/app-access';
import { fieldsChangedSince, snapshotOf } from '../common/defined-changes';
import { assertFilterSubjects } from '../common/filter-subjects';
import { limitOf, pageOf } from '../common/pagination';
import type { Actor } from '../credentials/principal';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import type { ListDeliveriesQueryDto, ListWebhooksQueryDto } from './dto/list-webhooks-query.dto';
import type { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookSecretBox } from './webhook-secret-box.service';

/** After a rotation, deliveries carry a signature with the previous secret too, for this long. */
export const PREVIOUS_SECRET_OVERLAP_MS = 24 * 3_600_000;

function assertEnabled(endpoint: WebhookEndpointEntity): void {
  if (!endpoint.enabled) {
    throw ApiError.conflict('Webhook endpoint is disabled; enable it first');
  }
}

/**
 * A customer's endpoint never hears of a canary's use (announced to app-wide endpoints only):
 * a subscription to it is refused rather than accepted and never delivered.
 */
function assertHeardByCustomer(customerId: string | null, eventTypes: readonly WebhookEventType[] | undefined): void {
  const unheard = customerId === null ? [] : (eventTypes ?? []).filter((type) => !CUSTOMER_WEBHOOK_EVENT_TYPES.includes(type));
  if (unheard.length > 0) {
    throw ApiError.validation('eventTypes', `must not include ${unheard.join(', ')} on a customer's endpoint: a canary's use is announced to app-wide endpoints only`);
  }
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apps: AppsService,
    private readonly audit: AuditService,
    private readonly secrets: WebhookSecretBox,
    private readonly customers: CustomersService,
  ) {}

  async create(actor: Actor, dto: CreateWebhookDto): Promise<WebhookEndpoint & WithWebhookSecret> {
    return this.dataSource.transaction(async (manager) => {
      const app = await this.apps.findForActor(actor, dto.appId, manager);
      const customer = await this.customers.findBySelector(app.workspaceId, { customerId: dto.customerId }, manager);
      assertHeardByCustomer(customer?.id ?? null, dto.eventTypes);
      const id = newId('webhookEndpoint');
      const { secret, sealed } = this.secrets.issue(id);
      await manager.insert(WebhookEndpointEntity, {
        id,
        workspaceId: app.workspaceId,
        appId: app.id,
        url: dto.url,
        description: dto.description ?? null,
        customerId: customer?.id ?? null,
        eventTypes: dto.eventTypes ?? [],
        enabled: true,
        secretSealed: sealed,
      });
      await this.record(manager, actor, { id, workspaceId: app.workspaceId, appId: app.id }, 'webhook.created', {
        url: dto.url,
        eventTypes: dto.eventTypes ?? [],
        ...(customer ? { customerId: customer.id } : {}),
      });
      return { ...toWebhookEndpoint(await manager.findOneByOrFail(WebhookEndpointEntity, { id })), secret };
    });
  }

  async list(actor: Actor, query: ListWebhooksQueryDto): Promise<Page<WebhookEndpoint>> {
    await assertFilterSubjects(this.dataSource, actor, query);
    const limit = limitOf(query);
    const rows = await endpointsPage(this.dataSource.manager, actor.principal, query, limit);
    const now = new Date();
    return pageOf(rows, limit, (row) => toWebhookEndpoint(row, now));
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpoint> {
    return toWebhookEndpoint(await this.findForActor(actor, id, this.dataSource.manager));
  }

  async update(actor: Actor, id: string, dto: UpdateWebhookDto): Promise<WebhookEndpoint> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, id, manager, { lock: true });
      const before = snapshotOf(row, ['url', 'description', 'eventTypes', 'enabled']);
      // A failing streak belongs to the receiver that failed: a new URL starts without one,
      // or the new receiver's first transient failure could disable it at once.
      if (dto.url !== undefined && dto.url !== row.url) Object.assign(row, { url: dto.url, failingSince: null });
      if (dto.description !== undefined) row.description = dto.description;
      assertHeardByCustomer(row.customerId, dto.eventTypes);
      if (dto.eventTypes !== undefined) row.eventTypes = dto.eventTypes;
      if (dto.enabled === true && !row.enabled) {
        Object.assign(row, { enabled: true, disabledReason: null, disabledMessage: null, disabledAt: null, failingSince: null });
      } else if (dto.enabled === false && row.enabled) {
        Object.assign(row, { enabled: false, disabledReason: 'manual', disabledMessage: 'Disabled manually', disabledAt: new Date() });
      }
      // An update that changes nothing (no field, or every field as it was) is not audited.
      if (fieldsChangedSince(before, row).length === 0) return toWebhookEndpoint(row);
      await manager.save(row);
      await this.record(manager, actor, row, 'webhook.updated', { ...dto });
      return toWebhookEndpoint(row);
    });
  }

  /** Deletes the endpoint with its deliveries and attempts; pending deliveries are dropped. */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, id, manager, { lock: true });
      await manager.delete(WebhookEndpointEntity, { id: row.id });
      await this.record(manager, actor, row, 'webhook.deleted', { url: row.url });
    });
  }

  /**
   * A new secret signs from now on; the replaced one keeps signing alongside for 24 hours,
   * and so does any secret replaced earlier whose 24 hours are not over.
   */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookEndpoint & WithWebhookSecret> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, id, manager, { lock: true });
      const { secret, sealed } = this.secrets.issue(row.id);
      const now = new Date();
      // A previous secret still in its overlap keeps it: a second rotation does not cut it short.
      row.olderSecrets = olderSecretsAfterRotation(row, now);
      row.previousSecretSealed = row.secretSealed;
      row.previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_OVERLAP_MS);
      row.secretSealed = sealed;
      await manager.save(row);
      await this.record(manager, actor, row, 'webhook.secret_rotated', {
        previousSecretExpiresAt: row.previousSecretExpiresAt.toISOString(),
      });
      return { ...toWebhookEndpoint(row), secret };
    });
  }

  /** A `webhook.test` event for this endpoint alone: recorded as dispatched, with its one delivery. */
  async sendTest(actor: Actor, id: string): Promise<WebhookDelivery> {
    const deliveryId = await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, id, manager);
      assertEnabled(row);
      const data: WebhookTestData = { endpointId: row.id, message: 'Test event from Keywarden' };
      const eventId = (await recordWebhookEvent(manager, { workspaceId: row.workspaceId, appId: row.appId, type: 'webhook.test', data })) as string;
      await markEventsDispatched(manager, [eventId]);
      const delivery = newId('webhookDelivery');
      await insertDeliveries(manager, [{ id: delivery, workspaceId: row.workspaceId, endpointId: row.id, eventId }]);
      await this.record(manager, actor, row, 'webhook.tested', { eventId, deliveryId: delivery });
      return delivery;
    });
    return this.deliveryById(deliveryId);
  }

  async deliveries(actor: Actor, id: string, query: ListDeliveriesQueryDto): Promise<Page<WebhookDelivery>> {
    const endpoint = await this.findForActor(actor, id, this.dataSource.manager);
    const limit = limitOf(query);
    const rows = await deliveriesOfEndpoint(this.dataSource, endpoint.id, { status: query.status, cursor: query.cursor, take: limit + 1 });
    const attempts = await attemptsOf(this.dataSource, rows.slice(0, limit).map((row) => row.id));
    return pageOf(rows, limit, (row) => toWebhookDelivery(row, attempts));
  }

  /** Schedules one more attempt now, with a fresh retry schedule; the worker picks it up. */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.dataSource.transaction(async (manager) => {
      const endpoint = await this.findForActor(actor, id, manager);
      assertEnabled(endpoint);
      if (!(await scheduleRedelivery(manager, deliveryId, endpoint.id))) throw ApiError.notFound('Delivery');
      await this.record(manager, actor, endpoint, 'webhook.redelivered', { deliveryId });
    });
    return this.deliveryById(deliveryId);
  }

  private async deliveryById(deliveryId: string): Promise<WebhookDelivery> {
    const row = await deliveryById(this.dataSource, deliveryId);
    if (!row) throw ApiError.notFound('Delivery');
    return toWebhookDelivery(row, await attemptsOf(this.dataSource, [deliveryId]));
  }

  /**
   * Every entry names the endpoint's app: once the endpoint is deleted its row is gone, and
   * the entry alone tells an API key limited to that app that it belongs to its history.
   */
  private record(
    manager: EntityManager,
    actor: Actor,
    endpoint: Pick<WebhookEndpointEntity, 'id' | 'workspaceId' | 'appId'>,
    action: AuditEvent['action'],
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(manager, actor, endpoint.workspaceId, {
      action,
      targetType: 'webhook',
      targetId: endpoint.id,
      details: { appId: endpoint.appId, ...details },
    });
  }

  /** Other workspaces' endpoints do not exist for the actor (404); endpoints of apps outside its restriction are forbidden (403). */
  private async findForActor(
    actor: Actor,
    id: string,
    manager: EntityManager,
    options: { lock?: boolean } = {},
  ): Promise<WebhookEndpointEntity> {
    return findAppResourceForActor(manager, WebhookEndpointEntity, actor, { id }, 'Webhook endpoint', options);
  }
}
