import { Injectable } from '@nestjs/common';
import {
  type AppKey,
  canActOnApp,
  DEFAULT_ROTATION_GRACE_SECONDS,
  expandScopes,
  hasScope,
  isScopePreset,
  type Page,
  costToMicros,
  isClientIp,
  isCostOfMicros,
  KEY_REVOKED_IRREVERSIBLE,
  KEY_REVOKED_UNCHANGEABLE,
  rotationRefusal,
  type RotationAudience,
  toStoredPolicy,
  type VerifyKeyRequest,
  type VerifyCode,
  type VerifyKeyResponse,
  type WithPropagation,
  type WithSecret,
} from '@keywarden/core';
import { ApiKeyEntity, type AppEntity, appKeysPage, iso, recordKeyEvent, toAppKey } from '@keywarden/db';
import { DataSource, type EntityManager } from 'typeorm';
import { AppsService } from '../apps/apps.service';
import { AuditService } from '../audit/audit.service';
import { CustomersService } from '../customers/customers.service';
import { ApiError } from '../common/api-error';
import { findAppResourceForActor } from '../common/app-access';
import { KeyCacheService } from '../credentials/key-cache.service';
import { type CredentialRecord, customerRefOf, validUntilOf } from '../credentials/credential-record';
import { KeyResolverService } from '../credentials/key-resolver.service';
import { type Actor, actorLabel, type Principal } from '../credentials/principal';
import type { CreateKeyDto } from './dto/create-key.dto';
import type { ListKeysQueryDto } from './dto/list-keys-query.dto';
import type { RotateKeyDto } from './dto/rotate-key.dto';
import type { UpdateKeyDto } from './dto/update-key.dto';
import { KeyLifecycle, type StatusChange } from './key-lifecycle.service';
import { type PolicyOutcome, PolicyService } from '../policy/policy.service';
import { KeyStore } from './key-store.service';
import { fieldsChangedSince, snapshotOf } from '../common/defined-changes';
import { assertFilterSubjects } from '../common/filter-subjects';

/** What `PATCH /v1/keys/:id` may change, as the audit entry of an update names it. */
const UPDATABLE_KEY_FIELDS = ['name', 'description', 'group', 'scopes', 'metadata', 'expiresAt', 'policy', 'customerId'] as const;

/** App keys may only carry scopes from their app's catalog (when it has one). */
function scopesForApp(requested: string[], app: AppEntity): string[] {
  if (app.scopeCatalog.length === 0 && requested.some(isScopePreset)) {
    throw ApiError.validation('scopes', 'presets (read, write, admin) need the app to define a scope catalog');
  }
  const scopes = expandScopes(requested, app.scopeCatalog);
  if (scopes.length === 0) throw ApiError.validation('scopes', 'expand to no scope of the app catalog');
  const outside = scopes.filter((scope) => app.scopeCatalog.length > 0 && !hasScope(app.scopeCatalog, scope));
  if (outside.length > 0) throw ApiError.validation('scopes', `are not in the app's scope catalog: ${outside.join(', ')}`);
  return scopes;
}

@Injectable()
export class KeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apps: AppsService,
    private readonly store: KeyStore,
    private readonly audit: AuditService,
    private readonly keyCache: KeyCacheService,
    private readonly resolver: KeyResolverService,
    private readonly policy: PolicyService,
    private readonly customers: CustomersService,
    private readonly lifecycle: KeyLifecycle,
  ) {}

  async create(actor: Actor, dto: CreateKeyDto): Promise<AppKey & WithSecret> {
    const created = await this.dataSource.transaction(async (manager) => {
      const app = await this.apps.findForActor(actor, dto.appId, manager, { holdAgainstDelete: true });
      if (!app.environments.includes(dto.environment)) {
        throw ApiError.validation('environment', `must be one of the app's environments: ${app.environments.join(', ')}`);
      }
      const customer = await this.customers.findBySelector(app.workspaceId, dto, manager);
      const { key, secret } = await this.store.insert(manager, 'app', {
        workspaceId: app.workspaceId,
        appId: app.id,
        appIds: null,
        role: null,
        environment: dto.environment,
        name: dto.name,
        description: dto.description ?? null,
        group: dto.group ?? null,
        scopes: scopesForApp(dto.scopes, app),
        metadata: dto.metadata ?? {},
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        policy: dto.policy ? toStoredPolicy(dto.policy) : null,
        customerId: customer?.id ?? null,
        createdBy: actorLabel(actor),
        canary: dto.canary ?? false,
      });
      await this.audit.record(manager, actor, app.workspaceId, {
        action: 'key.created',
        targetType: 'key',
        targetId: key.row.id,
        details: {
          appId: app.id,
          name: dto.name,
          environment: dto.environment,
          scopes: key.row.scopes,
          prefix: secret.prefix,
          ...(customer ? { customerId: customer.id } : {}),
          ...(dto.policy ? { policy: dto.policy } : {}),
          ...(dto.canary ? { canary: true } : {}),
        },
      });
      await recordKeyEvent(manager, 'key.created', { ...key.row, appId: app.id }, secret.prefix);
      return { issued: { ...toAppKey(key), secret: secret.key }, hash: secret.hash };
    });
    // Other instances may have this secret in their unknown-key cache (only if it was
    // presented before it existed): they forget it before anyone is handed it.
    await this.keyCache.announceNewSecret(created.hash.toString('hex'));
    return created.issued;
  }

  async list(actor: Actor, query: ListKeysQueryDto): Promise<Page<AppKey>> {
    await assertFilterSubjects(this.dataSource, actor, query);
    const page = await this.store.page(query, (limit) => appKeysPage(this.dataSource.manager, actor.principal, query, limit));
    return { data: page.data.map((key) => toAppKey(key)), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, keyId: string): Promise<AppKey> {
    const row = await this.findForActor(actor, keyId, this.dataSource.manager);
    const [key] = await this.store.withSecrets(this.dataSource.manager, [row]);
    return toAppKey(key);
  }

  async update(actor: Actor, keyId: string, dto: UpdateKeyDto): Promise<AppKey> {
    const { key, changed } = await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, keyId, manager, { lock: true });
      if (row.status === 'revoked') throw ApiError.conflict(KEY_REVOKED_UNCHANGEABLE);
      const before = snapshotOf(row, UPDATABLE_KEY_FIELDS);
      if (dto.scopes) {
        const app = await this.apps.findForActor(actor, row.appId as string, manager);
        row.scopes = scopesForApp(dto.scopes, app);
      }
      if (dto.name !== undefined) row.name = dto.name;
      if (dto.description !== undefined) row.description = dto.description;
      if (dto.group !== undefined) row.group = dto.group;
      if (dto.metadata !== undefined) row.metadata = dto.metadata;
      if (dto.expiresAt !== undefined) row.expiresAt = dto.expiresAt === null ? null : new Date(dto.expiresAt);
      if (dto.policy !== undefined) row.policy = dto.policy === null ? null : toStoredPolicy(dto.policy);
      if (dto.customerId !== undefined) {
        // Another workspace's customer does not exist here: 404, and nothing of the change is written.
        row.customerId = dto.customerId === null ? null : (await this.customers.findBySelector(row.workspaceId, { customerId: dto.customerId }, manager))?.id ?? null;
      }
      const fields = fieldsChangedSince(before, row);
      // An update that changes nothing (no field, or every field as it was) is not audited.
      if (fields.length > 0) {
        await manager.save(row);
        await this.audit.record(manager, actor, row.workspaceId, {
          action: 'key.updated',
          targetType: 'key',
          targetId: row.id,
          details: {
            fields,
            ...(fields.includes('scopes') ? { scopes: row.scopes } : {}),
            ...(fields.includes('policy') ? { policy: dto.policy } : {}),
            ...(fields.includes('customerId') ? { customerId: row.customerId } : {}),
          },
        });
      }
      return { key: (await this.store.withSecrets(manager, [row]))[0], changed: fields.length > 0 };
    });
    // Cached copies of a key an update left as it was are still right.
    if (changed) await this.keyCache.invalidate([keyId]);
    return toAppKey(key);
  }

  /** `audience`: who the refusal of an expired key tells what to do (a portal customer cannot move its expiry). */
  async rotate(actor: Actor, keyId: string, dto: RotateKeyDto, audience: RotationAudience = 'operator'): Promise<AppKey & WithSecret> {
    const gracePeriodSeconds = dto.gracePeriodSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, keyId, manager, { lock: true });
      const refusal = rotationRefusal(row, new Date(), audience);
      if (refusal !== null) throw ApiError.conflict(refusal);
      const secret = await this.lifecycle.rotate(manager, actor, row, gracePeriodSeconds);
      const [key] = await this.store.withSecrets(manager, [row]);
      return { key, secret };
    });
    await this.keyCache.invalidate([keyId]);
    await this.keyCache.announceNewSecret(result.secret.hash.toString('hex'));
    return { ...toAppKey(result.key), secret: result.secret.key };
  }

  /**
   * revoke is final; disable/enable is the reversible pair. Repeating a change is a no-op.
   * Answers once every API instance has confirmed it dropped the key (see `propagation`).
   */
  async changeStatus(actor: Actor, keyId: string, change: StatusChange): Promise<AppKey & WithPropagation> {
    const key = await this.dataSource.transaction(async (manager) => {
      const row = await this.findForActor(actor, keyId, manager, { lock: true });
      if (row.status === 'revoked' && change !== 'revoke') {
        throw ApiError.conflict(KEY_REVOKED_IRREVERSIBLE);
      }
      await this.lifecycle.setStatus(manager, actor, [row], change);
      return (await this.store.withSecrets(manager, [row]))[0];
    });
    const propagation = await this.keyCache.invalidate([keyId]);
    return { ...toAppKey(key), propagation };
  }

  /**
   * The answer to "may this key do this?". Keys of other workspaces, outside the
   * caller's app restriction, or admin keys are unknown here: UNAUTHORIZED.
   */
  async verify(caller: Principal, request: VerifyKeyRequest): Promise<VerifyKeyResponse> {
    if (request.ip !== undefined && !isClientIp(request.ip)) {
      throw ApiError.validation('ip', 'must be an IPv4 or IPv6 address');
    }
    // The body schema bounds it; money is stored exactly, so a finer amount is refused, not rounded.
    if (request.cost !== undefined && !isCostOfMicros(request.cost)) {
      throw ApiError.validation('cost', 'must be a decimal amount with at most 6 decimals');
    }
    const now = new Date();
    const describeUse = () => ({ ip: request.ip, model: request.model, userAgent: request.userAgent, surface: 'verify' }) as const;
    let resolution = this.resolver.resolve(request.key, now, describeUse);
    if (resolution instanceof Promise) resolution = await resolution;
    if (resolution.state === 'UNAUTHORIZED') return { valid: false, code: 'UNAUTHORIZED' };
    const { record } = resolution;
    if (record.kind !== 'app' || record.workspaceId !== caller.workspaceId || !canActOnApp(caller.appIds, record.appId as string)) {
      return { valid: false, code: 'UNAUTHORIZED' };
    }
    if (resolution.state !== 'VALID') return answerAbout(record, resolution.state);
    if (record.containment?.action === 'disable') return answerAbout(record, 'KEY_DISABLED');
    if (request.scope !== undefined && !hasScope(record.scopes, request.scope)) return answerAbout(record, 'INSUFFICIENT_PERMISSIONS');
    const outcome = await this.policy.admitVerify(record, {
      ip: request.ip,
      model: request.model,
      costMicros: request.cost === undefined ? 0 : costToMicros(request.cost),
    });
    return answerAbout(record, outcome.code, outcome);
  }

  private async findForActor(
    actor: Actor,
    keyId: string,
    manager: EntityManager,
    options: { lock?: boolean } = {},
  ): Promise<ApiKeyEntity> {
    return findAppResourceForActor(manager, ApiKeyEntity, actor, { id: keyId, kind: 'app' }, 'Key', options);
  }
}

/**
 * The verify answer about a key it recognised: its identity, the code, and the policy's
 * rate-limit state and lease. Built as one object, not from spreads: V8 copies a spread
 * object property by property, on every verify.
 */
function answerAbout(record: CredentialRecord, code: VerifyCode, outcome?: PolicyOutcome): VerifyKeyResponse {
  const answer: VerifyKeyResponse = {
    valid: code === 'VALID',
    code,
    keyId: record.keyId,
    appId: record.appId as string,
    env: record.environment,
    scopes: record.scopes,
    expiresAt: iso(validUntilOf(record)),
  };
  if (record.customerId !== null) answer.customer = customerRefOf(record);
  if (outcome?.ratelimit !== undefined) answer.ratelimit = outcome.ratelimit;
  if (outcome?.leaseId !== undefined) answer.leaseId = outcome.leaseId;
  return answer;
}
