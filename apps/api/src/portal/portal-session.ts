import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { compilePolicy, effectivePolicy, type PortalPermission } from '@keywarden/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';
import { type Actor, PORTAL_ACTOR_PREFIX, type Principal } from '../credentials/principal';
import type { SessionRequest } from '../sessions/session-authenticator.service';
import type { Session } from '../sessions/session-store.service';

export const PORTAL_SESSION_COOKIE = 'kw_portal_session';
export const CUSTOMER_SUBJECT = 'customer';

/** What a portal session holds besides its customer. */
export interface PortalAttributes {
  appId: string | null;
  permissions: PortalPermission[];
  allowedScopes: string[] | null;
  /** The admin key that made the link: the session lasts only while that key may act. */
  grantedBy: string | null;
}

/** The customer, app and permissions of the request's portal session, and the actor to audit it as. */
export interface PortalContext {
  customerId: string;
  workspaceId: string;
  appId: string | null;
  permissions: PortalPermission[];
  allowedScopes: string[] | null;
  csrfToken: string;
  expiresAt: number;
  actor: Actor;
}

const NO_POLICY = compilePolicy(effectivePolicy(null, null));

/**
 * The principal a portal session acts as: no management scope at all (portal routes check
 * the session's permissions instead), limited to the session's app when it has one.
 */
export function portalPrincipal(session: Session, customerName: string): Principal {
  const attributes = session.attributes as unknown as PortalAttributes;
  return {
    keyId: `${PORTAL_ACTOR_PREFIX}${session.subject.id}`,
    kind: 'admin',
    workspaceId: session.subject.workspaceId,
    name: customerName,
    prefix: '',
    role: null,
    scopes: [],
    appIds: attributes.appId === null ? null : [attributes.appId],
    appId: null,
    customerId: null,
    environment: 'portal',
    expiresAt: new Date(session.expiresAt),
    policy: NO_POLICY,
  };
}

const PERMISSION_METADATA = 'keywarden:portal-permission';

/**
 * The portal permissions a route needs (null: a session and nothing more); undefined for a
 * route that is not the portal's.
 */
export function portalPermissionsOf(reflector: Reflector, targets: Parameters<Reflector['getAllAndOverride']>[1]): PortalPermission[] | null | undefined {
  return reflector.getAllAndOverride<PortalPermission[] | null | undefined>(PERMISSION_METADATA, targets);
}

/**
 * The portal permission a route needs (a list: any one of them; null: none beyond a session);
 * the route serves portal sessions only.
 */
export const RequirePortalPermission = (permission: PortalPermission | PortalPermission[] | null) =>
  SetMetadata(PERMISSION_METADATA, permission === null || Array.isArray(permission) ? permission : [permission]);

/** The portal session's customer, app and permissions, and the actor the request is audited as. */
export function portalContextOf(request: FastifyRequest, session: Session, principal: Principal): PortalContext {
  const attributes = session.attributes as unknown as PortalAttributes;
  return {
    customerId: session.subject.id,
    workspaceId: session.subject.workspaceId,
    appId: attributes.appId,
    permissions: attributes.permissions,
    allowedScopes: attributes.allowedScopes,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
    actor: { principal, ip: request.ip, requestId: String(request.id), portalCustomerId: session.subject.id },
  };
}

type PortalRequest = FastifyRequest & SessionRequest & { user?: Principal; portal?: PortalContext };

/**
 * Portal routes answer portal sessions only: an API key (or a console session) gets 401,
 * a session without the route's permission 403.
 */
@Injectable()
export class PortalGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const permissions = portalPermissionsOf(this.reflector, [context.getHandler(), context.getClass()]);
    if (permissions === undefined) return true;
    const request = context.switchToHttp().getRequest<PortalRequest>();
    const session = request.session;
    if (!session || session.value.subject.type !== CUSTOMER_SUBJECT || !request.user) {
      throw new ApiError('UNAUTHORIZED', 'A portal session is required: open the portal link again');
    }
    const attributes = session.value.attributes as unknown as PortalAttributes;
    if (permissions !== null && !permissions.some((permission) => attributes.permissions.includes(permission))) {
      throw new ApiError('INSUFFICIENT_PERMISSIONS', `Portal session lacks the permission: ${permissions.join(' or ')}`);
    }
    request.portal = portalContextOf(request, session.value, request.user);
    return true;
  }
}

export const CurrentPortal = createParamDecorator((_data: unknown, context: ExecutionContext): PortalContext => {
  return (context.switchToHttp().getRequest<PortalRequest>().portal as PortalContext);
});
