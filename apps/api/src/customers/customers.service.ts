import { Injectable } from '@nestjs/common';
import {
  type Customer,
  type CustomerPolicy,
  EXTERNAL_ID_PATTERN,
  isId,
  newId,
  type Page,
  toStoredCustomerPolicy,
  type Propagation,
  type WithPropagation,
} from '@keywarden/core';
import { appsOfCustomerEndpoints, appsOfCustomerKeys, CustomerEntity, customersPage, toCustomer, unrevokedKeyCountsOfCustomer, unrevokedKeyIdsOfCustomer } from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { assertCanActOnApp } from '../common/app-access';
import { limitOf, pageOf } from '../common/pagination';
import { isUniqueViolation } from '../common/postgres-errors';
import { KeyCacheService } from '../credentials/key-cache.service';
import type { Actor } from '../credentials/principal';
import type { CreateCustomerDto } from './dto/create-customer.dto';
import type { ListCustomersQueryDto } from './dto/list-customers-query.dto';
import type { UpdateCustomerDto } from './dto/update-customer.dto';
import { fieldsChangedSince, snapshotOf } from '../common/defined-changes';

/** How a request names a customer: its `cus_…` id, or the platform's externalId (null: not named). */
export interface CustomerSelector {
  customerId?: string | null;
  externalId?: string;
}

function storedPolicyOf(policy: CustomerPolicy | null | undefined): ReturnType<typeof toStoredCustomerPolicy> | null {
  return policy === undefined || policy === null ? null : toStoredCustomerPolicy(policy);
}

function duplicateExternalId(externalId: string): ApiError {
  return ApiError.conflict(`A customer with externalId ${externalId} already exists in this workspace`);
}

type StatusChange = 'suspend' | 'resume';

/**
 * A change to a customer reaches every key it holds (its policy, its status, the ref in
 * verify answers): an API key limited to some apps may make it only while the customer
 * holds no key of another app.
 */
async function assertCanActOnKeysOf(actor: Actor, customerId: string, manager: EntityManager): Promise<void> {
  if (actor.principal.appIds === null) return;
  for (const appId of await appsOfCustomerKeys(manager, customerId)) {
    assertCanActOnApp(actor, appId, ` (customer ${customerId} holds keys of it)`);
  }
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
  ) {}

  async create(actor: Actor, dto: CreateCustomerDto): Promise<Customer> {
    const policy = storedPolicyOf(dto.policy);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const row = await manager.save(
          manager.create(CustomerEntity, {
            id: newId('customer'),
            workspaceId: actor.principal.workspaceId,
            externalId: dto.externalId,
            name: dto.name ?? null,
            metadata: dto.metadata ?? {},
            status: 'active',
            policy,
          }),
        );
        await this.audit.record(manager, actor, row.workspaceId, {
          action: 'customer.created',
          targetType: 'customer',
          targetId: row.id,
          details: { externalId: row.externalId, ...(dto.policy ? { policy: dto.policy } : {}) },
        });
        return toCustomer(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateExternalId(dto.externalId);
      throw error;
    }
  }

  async list(actor: Actor, query: ListCustomersQueryDto): Promise<Page<Customer>> {
    const limit = limitOf(query);
    return pageOf(await customersPage(this.dataSource.manager, actor.principal.workspaceId, query, limit), limit, toCustomer);
  }

  async get(actor: Actor, ref: string): Promise<Customer> {
    return toCustomer(await this.findByRef(actor.principal.workspaceId, ref, this.dataSource.manager));
  }

  async update(actor: Actor, ref: string, dto: UpdateCustomerDto): Promise<Customer> {
    const policy = dto.policy === undefined ? undefined : storedPolicyOf(dto.policy);
    let row: CustomerEntity;
    let fields: string[];
    try {
      [row, fields] = await this.dataSource.transaction(async (manager): Promise<[CustomerEntity, string[]]> => {
        const found = await this.findByRef(actor.principal.workspaceId, ref, manager, { lock: true });
        await assertCanActOnKeysOf(actor, found.id, manager);
        const before = snapshotOf(found, ['externalId', 'name', 'metadata', 'policy']);
        if (dto.externalId !== undefined) found.externalId = dto.externalId;
        if (dto.name !== undefined) found.name = dto.name;
        if (dto.metadata !== undefined) found.metadata = dto.metadata;
        if (policy !== undefined) found.policy = policy;
        const changed = fieldsChangedSince(before, found);
        // An update that changes nothing (no field, or every field as it was) is not audited.
        if (changed.length === 0) return [found, changed];
        const saved = await manager.save(found);
        await this.audit.record(manager, actor, saved.workspaceId, {
          action: 'customer.updated',
          targetType: 'customer',
          targetId: saved.id,
          details: {
            fields: changed,
            ...(changed.includes('externalId') ? { externalId: dto.externalId } : {}),
            ...(changed.includes('policy') ? { policy: dto.policy } : {}),
          },
        });
        return [saved, changed];
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateExternalId(dto.externalId as string);
      throw error;
    }
    // Verify answers carry the externalId and apply the policy: every instance drops its copies.
    if (fields.includes('policy') || fields.includes('externalId')) await this.invalidateKeysOf(row.id);
    return toCustomer(row);
  }

  /**
   * Only a customer without live keys can go (revoke or move them first); its scoped
   * endpoints go with it, so an API key limited to some apps needs them all in its apps.
   */
  async delete(actor: Actor, ref: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.findByRef(actor.principal.workspaceId, ref, manager, { lock: true });
      await assertCanActOnKeysOf(actor, row.id, manager);
      // Its scoped endpoints go with it: an API key limited to some apps may not delete another app's.
      if (actor.principal.appIds !== null) {
        for (const appId of await appsOfCustomerEndpoints(manager, row.id)) {
          assertCanActOnApp(actor, appId, ` (customer ${row.id} has webhook endpoints of it)`);
        }
      }
      const live = await unrevokedKeyCountsOfCustomer(manager, row.id);
      if (live.keys > 0) {
        // Canaries are left out of key listings (and bulk filters): say where they are, or the count matches nothing listed.
        const canaries = live.canaries > 0 ? `, ${live.canaries} of them canary keys (GET /v1/keys?canary=true&customerId=${row.id})` : '';
        throw ApiError.conflict(`Customer still holds ${live.keys} key(s) that are not revoked${canaries}; revoke them or move them to another customer first`);
      }
      await manager.delete(CustomerEntity, { id: row.id });
      await this.audit.record(manager, actor, row.workspaceId, {
        action: 'customer.deleted',
        targetType: 'customer',
        targetId: row.id,
        details: { externalId: row.externalId },
      });
    });
  }

  /**
   * Suspending refuses every key of the customer (KEY_DISABLED) on every instance at once,
   * through the same cache invalidation as a revoke; resuming lifts it. Repeating is a no-op.
   */
  async changeStatus(actor: Actor, ref: string, change: StatusChange): Promise<Customer & WithPropagation> {
    const target = change === 'suspend' ? 'suspended' : 'active';
    const row = await this.dataSource.transaction(async (manager) => {
      const found = await this.findByRef(actor.principal.workspaceId, ref, manager, { lock: true });
      await assertCanActOnKeysOf(actor, found.id, manager);
      if (found.status === target) return found;
      found.status = target;
      const saved = await manager.save(found);
      await this.audit.record(manager, actor, saved.workspaceId, {
        action: change === 'suspend' ? 'customer.suspended' : 'customer.resumed',
        targetType: 'customer',
        targetId: saved.id,
      });
      return saved;
    });
    const propagation = await this.invalidateKeysOf(row.id);
    return { ...toCustomer(row), propagation };
  }

  /**
   * `cus_…` is an id; anything else is the platform's externalId. Another workspace's
   * customer does not exist here, nor does a ref of neither shape (a NUL in it would not
   * even reach PostgreSQL as text): 404 without a query.
   */
  async findByRef(workspaceId: string, ref: string, manager: EntityManager, options: { lock?: boolean } = {}): Promise<CustomerEntity> {
    const byId = isId('customer', ref);
    if (!byId && !EXTERNAL_ID_PATTERN.test(ref)) throw ApiError.notFound('Customer');
    const where = byId ? { id: ref, workspaceId } : { externalId: ref, workspaceId };
    const row = await manager.findOne(CustomerEntity, { where, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!row) throw ApiError.notFound('Customer');
    return row;
  }

  /**
   * The customer a request names by `customerId` or `externalId` (not both), in the
   * workspace; undefined when it names none. Unknown: 404 naming the field.
   */
  async findBySelector(workspaceId: string, selector: CustomerSelector, manager: EntityManager): Promise<CustomerEntity | undefined> {
    if (selector.customerId != null && selector.externalId != null) {
      throw ApiError.validation('externalId', 'must not be given together with customerId');
    }
    const where =
      selector.customerId != null
        ? { id: selector.customerId, workspaceId }
        : selector.externalId != null
          ? { externalId: selector.externalId, workspaceId }
          : undefined;
    if (!where) return undefined;
    const row = await manager.findOne(CustomerEntity, { where, lock: { mode: 'pessimistic_read' } });
    if (!row) {
      const field = selector.customerId != null ? `customerId ${selector.customerId}` : `externalId ${selector.externalId}`;
      throw new ApiError('NOT_FOUND', `Customer not found (${field}) in this workspace`);
    }
    return row;
  }

  private async invalidateKeysOf(customerId: string): Promise<Propagation> {
    return this.keyCache.invalidate(await unrevokedKeyIdsOfCustomer(this.dataSource, customerId));
  }
}
