import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ConsoleSession, CSRF_HEADER } from '@keywarden/core';
import { AnyValidKey, Public } from '@keywarden/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { apiUseOf } from '../canaries/canary-alarm.service';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { principalOf } from '../credentials/credential-record';
import { KeyResolverService } from '../credentials/key-resolver.service';
import type { Actor, Principal } from '../credentials/principal';
import { meOf } from '../credentials/me-of';
import { admitCaller } from '../policy/key-policy.guard';
import { PolicyService } from '../policy/policy.service';
import { CreateConsoleSessionDto } from './dto/create-console-session.dto';
import { readCookie, setSessionCookie } from '../sessions/session-cookie';
import { ADMIN_KEY_SUBJECT, CONSOLE_SESSION_COOKIE, SessionAuthenticator, type SessionRequest } from '../sessions/session-authenticator.service';
import { type Session, SessionStore } from '../sessions/session-store.service';

type CookieRequest = FastifyRequest & SessionRequest & { user: Principal };

function consoleSessionOf(session: Session, principal: Principal): ConsoleSession {
  return {
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.expiresAt).toISOString(),
    idleTimeoutSeconds: session.idleSeconds,
    actor: meOf(principal),
  };
}

/** The console's own session of this request; a key or a portal session has none. */
function currentConsoleSession(request: CookieRequest): NonNullable<SessionRequest['session']> {
  const current = request.session;
  if (!current || current.kind.cookieName !== CONSOLE_SESSION_COOKIE) {
    throw new ApiError('UNAUTHORIZED', 'No console session: sign in with an admin key');
  }
  return current;
}

@ApiTags('console')
@Controller('v1/console/sessions')
export class ConsoleSessionsController {
  constructor(
    private readonly resolver: KeyResolverService,
    private readonly store: SessionStore,
    private readonly sessions: SessionAuthenticator,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Signing in and out are audited on the admin key, as a portal session's are on its customer. */
  private recordSession(actor: Actor, action: 'console_session.created' | 'console_session.ended', details: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record(this.dataSource.manager, actor, actor.principal.workspaceId, {
      action,
      targetType: 'admin_key',
      targetId: actor.principal.keyId,
      details,
    });
  }

  /**
   * Signing in from a browser that holds a live session replaces it: the new cookie
   * overwrites the old one, and the session behind it ends now rather than idling on where
   * nobody can sign it out.
   */
  private async endReplacedSession(request: FastifyRequest): Promise<void> {
    const replaced = readCookie(request, CONSOLE_SESSION_COOKIE);
    if (!replaced) return;
    const session = await this.store.resume(replaced);
    if (session) await this.store.end(replaced, session.subject);
  }

  /** Signs in: the admin key in the body becomes a session cookie; the key is not kept. */
  @Post()
  @Public()
  async create(
    @Body() dto: CreateConsoleSessionDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsoleSession> {
    const resolution = await this.resolver.resolve(dto.key, new Date(), () => apiUseOf(request));
    if (resolution.state === 'UNAUTHORIZED') throw new ApiError('UNAUTHORIZED');
    if (resolution.state !== 'VALID') throw new ApiError(resolution.state);
    if (resolution.record.kind !== 'admin') throw new ApiError('INSUFFICIENT_PERMISSIONS', 'Only admin keys can sign in to the console');
    const principal = principalOf(resolution.record);
    // Signing in is a request by the key like any other: its IP allowlist and rate limit apply.
    await admitCaller(this.policy, principal, request.ip, (name, value) => void reply.header(name, value));
    // A session never outlives its key: the console then says when it ends, and the cookie goes with it.
    const untilKeyExpires = principal.expiresAt ? Math.ceil((principal.expiresAt.getTime() - Date.now()) / 1000) : Infinity;
    const { token, session } = await this.store.create(
      { type: ADMIN_KEY_SUBJECT, id: principal.keyId, workspaceId: principal.workspaceId },
      {},
      { absoluteSeconds: Math.min(this.config.sessions.absoluteSeconds, untilKeyExpires) },
    );
    await this.recordSession({ principal, ip: request.ip, requestId: String(request.id) }, 'console_session.created', {
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
    await this.endReplacedSession(request);
    setSessionCookie(request, reply, CONSOLE_SESSION_COOKIE, token, session.expiresAt);
    return consoleSessionOf(session, principal);
  }

  /** The signed-in session (after a page reload the console reads its CSRF token here). */
  @Get('current')
  @AnyValidKey()
  current(@Req() request: CookieRequest): ConsoleSession {
    return consoleSessionOf(currentConsoleSession(request).value, request.user);
  }

  /**
   * Signs out, and always succeeds: the cookie is cleared even when its session has already
   * ended (idle, lifetime, key revoked, signed out elsewhere), so no dead cookie stays behind.
   * A live session ends only with its CSRF token; a dead one has nothing left to protect.
   */
  @Delete('current')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out of the console',
    description: `Reads the ${CONSOLE_SESSION_COOKIE} cookie, ends its session if it is still live (which needs the session's CSRF token in ${CSRF_HEADER}, else 403 CSRF_TOKEN_INVALID) and clears the cookie. 204 also when the session had already ended or no cookie was sent.`,
  })
  end(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    return this.sessions.signOut(request, reply, CONSOLE_SESSION_COOKIE, (ended) =>
      this.recordSession({ principal: ended.principal, ip: request.ip, requestId: String(request.id) }, 'console_session.ended'),
    );
  }
}
