import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Alert, type AppKey, CSRF_HEADER, type CreatePortalSessionResponse, type Page, type PortalApp, type PortalMe, type UsageResponse, type WebhookEndpoint, type WithPropagation, type WithSecret, type WithWebhookSecret } from '@keywarden/core';
import { AnyValidKey, Public, RequireScopes } from '@keywarden/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../auth/actor.decorator';
import { ParseIdPipe } from '../common/id-param';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import type { Actor } from '../credentials/principal';
import { RotateKeyDto } from '../keys/dto/rotate-key.dto';
import { SessionAuthenticator } from '../sessions/session-authenticator.service';
import { setSessionCookie } from '../sessions/session-cookie';
import { Inject } from '@nestjs/common';
import { CreatePortalSessionDto } from './dto/create-portal-session.dto';
import { PortalExchangeDto } from './dto/portal-exchange.dto';
import { AlertsPageQueryDto, AppsPageQueryDto, KeysPageQueryDto, WebhooksPageQueryDto } from '../common/page-query.dto';
import { PortalCreateKeyDto } from './dto/portal-keys.dto';
import { PortalUsageQueryDto } from './dto/portal-usage-query.dto';
import { PortalCreateWebhookDto } from './dto/portal-webhook.dto';
import { CurrentPortal, type PortalContext, portalContextOf, PortalGuard, PORTAL_SESSION_COOKIE, RequirePortalPermission } from './portal-session';
import { PortalService } from './portal.service';
import { ApiError } from '../common/api-error';

/** A host name or IP literal with an optional port: nothing a URL would read as a path, user or fragment. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The link's base without KW_PUBLIC_BASE_URL: the request's own, once its Host is a host. */
function requestBaseUrl(request: FastifyRequest): string {
  if (!HOST.test(request.host)) {
    throw ApiError.validation('Host', 'is not a host name, so no link can be built on it; set KW_PUBLIC_BASE_URL to the address browsers use');
  }
  return `${request.protocol}://${request.host}`;
}

/**
 * `POST /v1/portal/sessions` (an admin key with `portal.write`) makes the link; the portal
 * page exchanges it for the session cookie; every other route serves that session alone.
 */
@ApiTags('portal')
@Controller('v1/portal')
@UseGuards(PortalGuard)
export class PortalController {
  constructor(
    private readonly portal: PortalService,
    private readonly sessions: SessionAuthenticator,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * A single-use link `{public base URL}/portal#token=…`, exchangeable for 5 minutes. It
   * grants only permissions the calling key could use itself (its management scopes).
   */
  @Post('sessions')
  @RequireScopes('portal.write')
  createSession(@CurrentActor() actor: Actor, @Body() dto: CreatePortalSessionDto, @Req() request: FastifyRequest): Promise<CreatePortalSessionResponse> {
    return this.portal.createLink(actor, dto, this.config.publicBaseUrl ?? requestBaseUrl(request));
  }

  /** Spends the link's token: 204 with the HttpOnly, SameSite=Strict session cookie (Secure over HTTPS). */
  @Post('exchange')
  @HttpCode(204)
  @Public()
  async exchange(@Body() dto: PortalExchangeDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const { token, session } = await this.portal.exchange(dto.token, request.ip, String(request.id));
    setSessionCookie(request, reply, PORTAL_SESSION_COOKIE, token, session.expiresAt);
  }

  /**
   * Signs out, and always succeeds: the cookie is cleared even when its session has already
   * ended (expired, its link's admin key revoked, its app deleted, signed out elsewhere).
   */
  @Delete('sessions/current')
  @HttpCode(204)
  @Public()
  @ApiOperation({
    summary: 'Sign out of the portal',
    description: `Reads the ${PORTAL_SESSION_COOKIE} cookie, ends its session if it is still live (which needs the session's CSRF token in ${CSRF_HEADER}, else 403 CSRF_TOKEN_INVALID) and clears the cookie. 204 also when the session had already ended or no cookie was sent.`,
  })
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    return this.sessions.signOut(request, reply, PORTAL_SESSION_COOKIE, (ended) =>
      this.portal.recordSignOut(portalContextOf(request, ended.session, ended.principal)),
    );
  }

  /** The customer, the app (with its branding), the permissions and the CSRF token. */
  @Get('me')
  @AnyValidKey()
  @RequirePortalPermission(null)
  me(@CurrentPortal() portal: PortalContext): Promise<PortalMe> {
    return this.portal.me(portal);
  }

  /**
   * The apps the session may create keys and endpoints in: its one app, or every live app of
   * the workspace for a session that names none. Ids, names, environments and scope catalogs only.
   */
  @Get('apps')
  @AnyValidKey()
  @RequirePortalPermission(['keys.create', 'webhooks.manage'])
  listApps(@CurrentPortal() portal: PortalContext, @Query() query: AppsPageQueryDto): Promise<Page<PortalApp>> {
    return this.portal.listApps(portal, query);
  }

  @Get('keys')
  @AnyValidKey()
  @RequirePortalPermission('keys.read')
  listKeys(@CurrentPortal() portal: PortalContext, @Query() query: KeysPageQueryDto): Promise<Page<AppKey>> {
    return this.portal.listKeys(portal, query);
  }

  /** One key of the customer; another customer's key is 404, as if it did not exist. */
  @Get('keys/:id')
  @AnyValidKey()
  @RequirePortalPermission('keys.read')
  getKey(@CurrentPortal() portal: PortalContext, @Param('id', new ParseIdPipe('key')) id: string): Promise<AppKey> {
    return this.portal.getKey(portal, id);
  }

  /** A key of the customer with the app's default policy; `secret` is in this response only. */
  @Post('keys')
  @AnyValidKey()
  @RequirePortalPermission('keys.create')
  createKey(@CurrentPortal() portal: PortalContext, @Body() dto: PortalCreateKeyDto): Promise<AppKey & WithSecret> {
    return this.portal.createKey(portal, dto);
  }

  /**
   * As POST /v1/keys/:id/rotate: 409 CONFLICT for a revoked key or one past its expiresAt,
   * the latter telling the customer (who cannot move the expiry) to create a new key.
   */
  @Post('keys/:id/rotate')
  @HttpCode(200)
  @AnyValidKey()
  @RequirePortalPermission('keys.rotate')
  rotateKey(
    @CurrentPortal() portal: PortalContext,
    @Param('id', new ParseIdPipe('key')) id: string,
    @Body() dto: RotateKeyDto,
  ): Promise<AppKey & WithSecret> {
    return this.portal.rotateKey(portal, id, dto.gracePeriodSeconds);
  }

  @Post('keys/:id/revoke')
  @HttpCode(200)
  @AnyValidKey()
  @RequirePortalPermission('keys.revoke')
  revokeKey(@CurrentPortal() portal: PortalContext, @Param('id', new ParseIdPipe('key')) id: string): Promise<AppKey & WithPropagation> {
    return this.portal.revokeKey(portal, id);
  }

  /** Usage and spend (`cost`) of the customer's keys, or of one of them (`keyId`). */
  @Get('usage')
  @AnyValidKey()
  @RequirePortalPermission('usage.read')
  usage(@CurrentPortal() portal: PortalContext, @Query() query: PortalUsageQueryDto): Promise<UsageResponse> {
    return this.portal.usageOf(portal, query);
  }

  @Get('alerts')
  @AnyValidKey()
  @RequirePortalPermission('alerts.read')
  alerts(@CurrentPortal() portal: PortalContext, @Query() query: AlertsPageQueryDto): Promise<Page<Alert>> {
    return this.portal.alertsOf(portal, query);
  }

  @Get('webhooks')
  @AnyValidKey()
  @RequirePortalPermission('webhooks.manage')
  listWebhooks(@CurrentPortal() portal: PortalContext, @Query() query: WebhooksPageQueryDto): Promise<Page<WebhookEndpoint>> {
    return this.portal.listWebhooks(portal, query);
  }

  /** Receives the events about the customer's keys only; `secret` is in this response only. */
  @Post('webhooks')
  @AnyValidKey()
  @RequirePortalPermission('webhooks.manage')
  createWebhook(@CurrentPortal() portal: PortalContext, @Body() dto: PortalCreateWebhookDto): Promise<WebhookEndpoint & WithWebhookSecret> {
    return this.portal.createWebhook(portal, dto);
  }

  @Delete('webhooks/:id')
  @HttpCode(204)
  @AnyValidKey()
  @RequirePortalPermission('webhooks.manage')
  async deleteWebhook(@CurrentPortal() portal: PortalContext, @Param('id', new ParseIdPipe('webhookEndpoint')) id: string): Promise<void> {
    await this.portal.deleteWebhook(portal, id);
  }
}
