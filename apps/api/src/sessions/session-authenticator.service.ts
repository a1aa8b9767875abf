import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CSRF_HEADER } from '@keywarden/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';
import { principalOf } from '../credentials/credential-record';
import { KeyResolverService } from '../credentials/key-resolver.service';
import type { Principal } from '../credentials/principal';
import { clearSessionCookie, readCookie } from './session-cookie';
import { type Session, SessionStore } from './session-store.service';

/** One kind of browser session: its cookie, and how a live one becomes the request's principal. */
export interface SessionKind {
  cookieName: string;
  subjectType: string;
  /** Routes the session may call (a portal session: the portal's routes only). */
  appliesTo(url: string): boolean;
  /** The principal the session acts as; throws an ApiError once its subject may no longer act. */
  principalOf(session: Session): Promise<Principal>;
}

/** A session that may still act, with the principal it acts as. */
export interface LiveSession {
  token: string;
  session: Session;
  principal: Principal;
}

/** What an authenticated cookie request carries besides `user`. */
export interface SessionRequest {
  session?: { kind: SessionKind; token: string; value: Session };
}

export const CONSOLE_SESSION_COOKIE = 'kw_console_session';
export const ADMIN_KEY_SUBJECT = 'admin_key';
const PORTAL_ROUTES = '/v1/portal/';
const PORTAL_LINK_ROUTE = '/v1/portal/sessions';

/**
 * Routes a portal session serves: everything under /v1/portal/ but the route that makes
 * portal links, which is the operators' (an admin key, or a console session).
 */
export function isPortalSessionRoute(url: string): boolean {
  const path = url.split('?')[0];
  return path.startsWith(PORTAL_ROUTES) && path !== PORTAL_LINK_ROUTE;
}
export const SESSION_ENDED_MESSAGE = 'Session has ended: sign in again';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A state-changing cookie request must show the session's CSRF token, which another site cannot read. */
function assertCsrfToken(request: FastifyRequest, session: Session): void {
  if (!SAFE_METHODS.has(request.method) && !sameToken(request.headers[CSRF_HEADER], session.csrfToken)) {
    throw new ApiError('CSRF_TOKEN_INVALID');
  }
}

/**
 * Turns a session cookie into the request's principal. Asked only about requests that
 * present no key (`KeyAuthenticator` decides that: a key is the request's alone). Another
 * Authorization scheme, such as the Basic credentials of a proxy in front of Keywarden,
 * is no key and leaves the session to decide.
 */
@Injectable()
export class SessionAuthenticator {
  private readonly kinds: SessionKind[] = [];

  constructor(
    private readonly store: SessionStore,
    private readonly resolver: KeyResolverService,
  ) {
    this.register({
      cookieName: CONSOLE_SESSION_COOKIE,
      subjectType: ADMIN_KEY_SUBJECT,
      appliesTo: (url) => !isPortalSessionRoute(url),
      principalOf: (session) => this.adminKeyPrincipal(session),
    });
  }

  register(kind: SessionKind): void {
    this.kinds.push(kind);
  }

  /** The session's principal; null when the request carries no session cookie for this route. */
  async authenticate(request: FastifyRequest): Promise<Principal | null> {
    for (const kind of this.kinds) {
      if (!kind.appliesTo(request.url)) continue;
      const token = readCookie(request, kind.cookieName);
      if (!token) continue;
      const live = await this.resumeLive(kind, token);
      if (!live) throw new ApiError('UNAUTHORIZED', SESSION_ENDED_MESSAGE);
      assertCsrfToken(request, live.session);
      (request as FastifyRequest & SessionRequest).session = { kind, token, value: live.session };
      return live.principal;
    }
    return null;
  }

  /**
   * Signs out of the cookie's session kind, and always succeeds: a live session ends (only with
   * its CSRF token: another site's request does not end it) and `recordEnd` audits it; the cookie
   * is cleared also when its session had already ended (idle, lifetime, its subject may no longer
   * act, signed out elsewhere), so no dead cookie stays behind. A session store outage throws
   * before anything changes: whether the session has ended cannot be known then.
   */
  async signOut(request: FastifyRequest, reply: FastifyReply, cookieName: string, recordEnd: (ended: LiveSession) => Promise<void>): Promise<void> {
    const live = await this.sessionToEnd(request, cookieName);
    if (live) {
      await this.store.end(live.token, live.session.subject);
      await recordEnd(live);
    }
    clearSessionCookie(request, reply, cookieName);
  }

  /**
   * The live session a sign-out ends, once the request shows its CSRF token. null when the
   * cookie names no live session: none, ended, or its subject may no longer act (the session
   * is ended now). Such a session has nothing left to protect, so signing out of it needs no token.
   */
  private async sessionToEnd(request: FastifyRequest, cookieName: string): Promise<LiveSession | null> {
    const kind = this.kinds.find((registered) => registered.cookieName === cookieName);
    const token = readCookie(request, cookieName);
    if (!kind || !token) return null;
    let live: LiveSession | null;
    try {
      live = await this.resumeLive(kind, token);
    } catch (error) {
      // Refused for its subject's state (revoked, expired, disabled): the session is over. An outage is no answer.
      if (error instanceof ApiError && error.status < 500) return null;
      throw error;
    }
    if (live) assertCsrfToken(request, live.session);
    return live;
  }

  /** The session behind the token with its principal; null once it has ended. A subject that may no longer act ends it. */
  private async resumeLive(kind: SessionKind, token: string): Promise<LiveSession | null> {
    const session = await this.store.resume(token);
    if (!session || session.subject.type !== kind.subjectType) return null;
    try {
      return { token, session, principal: await kind.principalOf(session) };
    } catch (error) {
      await this.store.end(token, session.subject);
      throw error;
    }
  }

  /** Read from the database on every request: revoked, disabled or expired ends the session. */
  private async adminKeyPrincipal(session: Session): Promise<Principal> {
    const resolution = await this.resolver.resolveKeyId(session.subject.id);
    if (resolution.state === 'UNAUTHORIZED' || resolution.record.workspaceId !== session.subject.workspaceId) {
      throw new ApiError('UNAUTHORIZED', SESSION_ENDED_MESSAGE);
    }
    if (resolution.state !== 'VALID') throw new ApiError(resolution.state);
    return principalOf(resolution.record);
  }
}
