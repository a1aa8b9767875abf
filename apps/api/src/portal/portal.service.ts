import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  type Alert,
  type AppKey,
  type CreatePortalSessionResponse,
  newId,
  type Page,
  type PageQuery,
  PORTAL_LINK_TTL_SECONDS,
  type PortalApp,
  type PortalMe,
  scopeNeededToGrant,
  scopesNotHeld,
  type UsageResponse,
  type WebhookEndpoint,
  type WithPropagation,
  type WithSecret,
  type WithWebhookSecret,
} from '@keywarden/core';
import { AppEntity, appsPage, isCustomerAppKey, isCustomerEndpoint, isLiveAppOfWorkspace, portalCustomer, type PortalCustomerRow, type PortalGrant, type Queryable } from '@keywarden/db';
import { DataSource, IsNull } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import type { ListAlertsQueryDto } from '../alerts/dto/list-alerts-query.dto';
import { AppsService } from '../apps/apps.service';
import { AuditService } from '../audit/audit.service';
import { ApiError } from '../common/api-error';
import { limitOf, pageOf } from '../common/pagination';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import type { Actor } from '../credentials/principal';
import { CustomersService } from '../customers/customers.service';
import type { ListKeysQueryDto } from '../keys/dto/list-keys-query.dto';
import { KeysService } from '../keys/keys.service';
import { isPortalSessionRoute, SESSION_ENDED_MESSAGE, SessionAuthenticator } from '../sessions/session-authenticator.service';
import { type Session, SessionStore } from '../sessions/session-store.service';
import type { UsageQueryDto } from '../usage/dto/usage-query.dto';
import { UsageService } from '../usage/usage.service';
import type { ListWebhooksQueryDto } from '../webhooks/dto/list-webhooks-query.dto';
import { WebhooksService } from '../webhooks/webhooks.service';
import type { CreatePortalSessionDto } from './dto/create-portal-session.dto';
import type { PortalCreateKeyDto } from './dto/portal-keys.dto';
import type { PortalCreateWebhookDto } from './dto/portal-webhook.dto';
import {
  CUSTOMER_SUBJECT,
  type PortalAttributes,
  type PortalContext,
  portalPrincipal,
  PORTAL_SESSION_COOKIE,
} from './portal-session';

const LINK_REFUSED = 'Portal link is invalid, expired or already used';

/**
 * `/portal/<app id>` for a session limited to one app: the page's path names the app, so
 * every load of it (the embedded link, a reload, a deep link) can carry that app's
 * frame-ancestors. `/portal` names none and is never framed.
 */
export function portalPageUrl(baseUrl: string, appId: string | null): string {
  return appId === null ? `${baseUrl}/portal` : `${baseUrl}/portal/${appId}`;
}

/** What a portal shows of an app: enough to choose it and fill in a key, none of its settings. */
function toPortalApp(app: AppEntity): PortalApp {
  return { id: app.id, name: app.name, environments: app.environments, scopeCatalog: app.scopeCatalog };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface ClaimedLink {
  id: string;
  workspace_id: string;
  customer_id: string;
  app_id: string | null;
  permissions: PortalAttributes['permissions'];
  allowed_scopes: string[] | null;
  session_ttl_seconds: number;
  created_by: string | null;
}

/**
 * The customer a link or session serves, while it is active, the admin key that made the
 * link may still act and the link's app is not deleted: revoking a leaked admin key, or
 * deleting the app, withdraws the portals opened with it too.
 */
async function activeHolder(db: Queryable, customerId: string, workspaceId: string, grant: PortalGrant): Promise<PortalCustomerRow | undefined> {
  const customer = await portalCustomer(db, customerId, workspaceId, grant);
  return customer?.status === 'active' && customer.granted ? customer : undefined;
}

/**
 * The customer portal: single-use links that open a cookie session limited to one
 * customer (optionally one app) and a set of permissions, and the customer's own keys,
 * usage, alerts and webhook endpoints behind it. Anything outside the session's customer
 * (or app) does not exist for it: 404, never 403.
 */
@Injectable()
export class PortalService implements OnModuleInit {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
    private readonly apps: AppsService,
    private readonly keys: KeysService,
    private readonly usage: UsageService,
    private readonly alerts: AlertsService,
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditService,
    private readonly sessions: SessionStore,
    private readonly authenticator: SessionAuthenticator,
  ) {}

  onModuleInit(): void {
    this.authenticator.register({
      cookieName: PORTAL_SESSION_COOKIE,
      subjectType: CUSTOMER_SUBJECT,
      appliesTo: isPortalSessionRoute,
      principalOf: (session) => this.principalOf(session),
    });
  }

  /** A single-use link, exchangeable for 5 minutes; only its hash is stored. */
  async createLink(actor: Actor, dto: CreatePortalSessionDto, baseUrl: string): Promise<CreatePortalSessionResponse> {
    if (dto.customerId === undefined && dto.externalId === undefined) {
      throw ApiError.validation('customerId', 'or externalId is required');
    }
    if (dto.appId === undefined && actor.principal.appIds !== null) {
      throw ApiError.validation('appId', 'is required: this API key is limited to some apps');
    }
    for (const permission of dto.permissions) {
      const missing = scopeNeededToGrant(actor.principal.scopes, permission);
      if (missing !== undefined) {
        throw new ApiError('INSUFFICIENT_PERMISSIONS', `API key lacks the scope ${missing} needed to grant the portal permission ${permission}`);
      }
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + PORTAL_LINK_TTL_SECONDS * 1000);
    await this.dataSource.transaction(async (manager) => {
      const customer = (await this.customers.findBySelector(actor.principal.workspaceId, dto, manager)) as NonNullable<
        Awaited<ReturnType<CustomersService['findBySelector']>>
      >;
      if (customer.status !== 'active') throw ApiError.conflict('Customer is suspended; resume it before opening its portal');
      if (dto.appId !== undefined) {
        const app = await this.apps.findForActor(actor, dto.appId, manager);
        const outside = app.scopeCatalog.length > 0 ? scopesNotHeld(app.scopeCatalog, dto.allowedScopes ?? []) : [];
        if (outside.length > 0) throw ApiError.validation('allowedScopes', `are not in the app's scope catalog: ${outside.join(', ')}`);
      }
      const id = newId('portalLink');
      await manager.query(
        `INSERT INTO portal_links (id, token_hash, workspace_id, customer_id, app_id, permissions, allowed_scopes,
                                   session_ttl_seconds, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          tokenHash(token),
          customer.workspaceId,
          customer.id,
          dto.appId ?? null,
          dto.permissions,
          dto.allowedScopes ?? null,
          dto.ttlSeconds ?? this.config.portal.sessionSeconds,
          actor.principal.keyId,
          expiresAt,
        ],
      );
      await this.audit.record(manager, actor, customer.workspaceId, {
        action: 'portal_session.created',
        targetType: 'customer',
        targetId: customer.id,
        details: { linkId: id, appId: dto.appId ?? null, permissions: dto.permissions, allowedScopes: dto.allowedScopes ?? null },
      });
    });
    const appId = dto.appId ?? null;
    return {
      url: `${portalPageUrl(baseUrl, null)}#token=${token}`,
      embedUrl: appId === null ? null : `${portalPageUrl(baseUrl, appId)}#token=${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * Spends the link (once, within its 5 minutes) and opens the session. A reused, expired
   * or unknown token is 401, and nothing tells which of them it was.
   */
  async exchange(token: string, ip: string, requestId: string): Promise<{ token: string; session: Session }> {
    const opened = await this.dataSource.transaction(async (manager) => {
      const [claimed]: [ClaimedLink[], number] = await manager.query(
        `UPDATE portal_links SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING id, workspace_id, customer_id, app_id, permissions, allowed_scopes, session_ttl_seconds, created_by`,
        [tokenHash(token)],
      );
      const link = claimed[0];
      if (!link) throw new ApiError('UNAUTHORIZED', LINK_REFUSED);
      const attributes: PortalAttributes = {
        appId: link.app_id,
        permissions: link.permissions,
        allowedScopes: link.allowed_scopes,
        grantedBy: link.created_by,
      };
      if (!(await activeHolder(manager, link.customer_id, link.workspace_id, attributes))) throw new ApiError('UNAUTHORIZED', LINK_REFUSED);
      const created = await this.sessions.create(
        { type: CUSTOMER_SUBJECT, id: link.customer_id, workspaceId: link.workspace_id },
        attributes as unknown as Record<string, unknown>,
        { absoluteSeconds: link.session_ttl_seconds },
      );
      const actor: Actor = { principal: portalPrincipal(created.session, ''), ip, requestId, portalCustomerId: link.customer_id };
      await this.audit.record(manager, actor, link.workspace_id, {
        action: 'portal_session.opened',
        targetType: 'customer',
        targetId: link.customer_id,
        details: { linkId: link.id, appId: link.app_id },
      });
      return created;
    });
    return opened;
  }

  /** Audits a sign-out that ended the customer's live session (other sessions of the customer stay). */
  recordSignOut(portal: PortalContext): Promise<void> {
    return this.audit.record(this.dataSource.manager, portal.actor, portal.workspaceId, {
      action: 'portal_session.ended',
      targetType: 'customer',
      targetId: portal.customerId,
      details: { appId: portal.appId },
    });
  }

  async me(portal: PortalContext): Promise<PortalMe> {
    const customer = await this.customers.findByRef(portal.workspaceId, portal.customerId, this.dataSource.manager);
    const app = portal.appId === null ? null : await this.dataSource.manager.findOneBy(AppEntity, { id: portal.appId });
    return {
      customer: { id: customer.id, externalId: customer.externalId, name: customer.name },
      app: app ? { ...toPortalApp(app), portal: app.portal } : null,
      permissions: portal.permissions,
      allowedScopes: portal.allowedScopes,
      expiresAt: new Date(portal.expiresAt).toISOString(),
      csrfToken: portal.csrfToken,
    };
  }

  /** The session's app, or every live app of its workspace when it names none (its principal's reach). */
  async listApps(portal: PortalContext, query: PageQuery): Promise<Page<PortalApp>> {
    const limit = limitOf(query);
    return pageOf(await appsPage(this.dataSource.manager, portal.actor.principal, query, limit), limit, toPortalApp);
  }

  listKeys(portal: PortalContext, query: Pick<ListKeysQueryDto, 'limit' | 'cursor'>): Promise<Page<AppKey>> {
    return this.keys.list(portal.actor, { ...query, customerId: portal.customerId, appId: portal.appId ?? undefined } as ListKeysQueryDto);
  }

  /** One key of the customer; a key of anyone else is not found, exactly like an unknown id. */
  async getKey(portal: PortalContext, keyId: string): Promise<AppKey> {
    await this.assertOwnKey(portal, keyId);
    return this.keys.get(portal.actor, keyId);
  }

  /** The key belongs to the customer, carries only allowed scopes, and gets the app's default policy. */
  async createKey(portal: PortalContext, dto: PortalCreateKeyDto): Promise<AppKey & WithSecret> {
    const appId = this.appOf(portal, dto.appId);
    await this.assertAppVisible(portal, appId);
    if (portal.allowedScopes !== null) {
      const outside = scopesNotHeld(portal.allowedScopes, dto.scopes);
      if (outside.length > 0) throw ApiError.validation('scopes', `are not allowed in this portal: ${outside.join(', ')}`);
    }
    return this.keys.create(portal.actor, { appId, name: dto.name, environment: dto.environment, scopes: dto.scopes, customerId: portal.customerId });
  }

  async rotateKey(portal: PortalContext, keyId: string, gracePeriodSeconds: number | undefined): Promise<AppKey & WithSecret> {
    await this.assertOwnKey(portal, keyId);
    return this.keys.rotate(portal.actor, keyId, { gracePeriodSeconds }, 'customer');
  }

  async revokeKey(portal: PortalContext, keyId: string): Promise<AppKey & WithPropagation> {
    await this.assertOwnKey(portal, keyId);
    return this.keys.changeStatus(portal.actor, keyId, 'revoke');
  }

  /** Usage and spend (`cost`) of the customer's keys (or of one of them), in the session's app when it has one. */
  async usageOf(portal: PortalContext, query: Omit<UsageQueryDto, 'appId' | 'customerId'>): Promise<UsageResponse> {
    if (query.keyId !== undefined) {
      await this.assertOwnKey(portal, query.keyId);
      // The key's usage from before it came to this customer is another customer's.
      return this.usage.query(portal.actor, query as UsageQueryDto, portal.customerId);
    }
    return this.usage.query(portal.actor, { ...query, customerId: portal.customerId } as UsageQueryDto);
  }

  /** The origins an app lets frame its portal pages (none for an unknown or deleted app). */
  async embedOriginsOf(appId: string): Promise<string[]> {
    const app = await this.dataSource.manager.findOne(AppEntity, { where: { id: appId, deletedAt: IsNull() }, select: { id: true, portal: true } });
    return app?.portal?.allowedEmbedOrigins ?? [];
  }

  alertsOf(portal: PortalContext, query: Pick<ListAlertsQueryDto, 'limit' | 'cursor'>): Promise<Page<Alert>> {
    return this.alerts.list(portal.actor, { ...query, customerId: portal.customerId, appId: portal.appId ?? undefined } as ListAlertsQueryDto);
  }

  listWebhooks(portal: PortalContext, query: Pick<ListWebhooksQueryDto, 'limit' | 'cursor'>): Promise<Page<WebhookEndpoint>> {
    return this.webhooks.list(portal.actor, { ...query, customerId: portal.customerId, appId: portal.appId ?? undefined } as ListWebhooksQueryDto);
  }

  /** Always scoped to the customer: it receives events about the customer's keys only. */
  async createWebhook(portal: PortalContext, dto: PortalCreateWebhookDto): Promise<WebhookEndpoint & WithWebhookSecret> {
    const appId = this.appOf(portal, dto.appId);
    await this.assertAppVisible(portal, appId);
    return this.webhooks.create(portal.actor, {
      appId,
      url: dto.url,
      description: dto.description,
      eventTypes: dto.eventTypes,
      customerId: portal.customerId,
    });
  }

  async deleteWebhook(portal: PortalContext, endpointId: string): Promise<void> {
    if (!(await isCustomerEndpoint(this.dataSource, endpointId, portal))) throw ApiError.notFound('Webhook endpoint');
    await this.webhooks.delete(portal.actor, endpointId);
  }

  /** Read on every request: a deleted or suspended customer, a withdrawn link maker or a deleted app ends the session. */
  private async principalOf(session: Session) {
    const attributes = session.attributes as unknown as PortalAttributes;
    const customer = await activeHolder(this.dataSource, session.subject.id, session.subject.workspaceId, attributes);
    if (!customer) throw new ApiError('UNAUTHORIZED', SESSION_ENDED_MESSAGE);
    return portalPrincipal(session, customer.name ?? customer.externalId);
  }

  /** The session's app, or the one the body names when the session has none; another app is not found. */
  private appOf(portal: PortalContext, requested: string | undefined): string {
    if (portal.appId !== null) {
      if (requested !== undefined && requested !== portal.appId) throw ApiError.notFound('App');
      return portal.appId;
    }
    if (requested === undefined) throw ApiError.validation('appId', 'is required: this portal session is not limited to one app');
    return requested;
  }

  private async assertAppVisible(portal: PortalContext, appId: string): Promise<void> {
    if (!(await isLiveAppOfWorkspace(this.dataSource, appId, portal.workspaceId))) throw ApiError.notFound('App');
  }

  /** Keys of other customers (or outside the session's app) do not exist here. */
  private async assertOwnKey(portal: PortalContext, keyId: string): Promise<void> {
    if (!(await isCustomerAppKey(this.dataSource, keyId, portal))) throw ApiError.notFound('Key');
  }
}
