import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { CSRF_HEADER } from '@keywarden/core';
import { ACCESS_METADATA, type AccessRule } from '@keywarden/platform';
import { routeHandlers } from '../auth/access-declarations.check';
import { PORTAL_SESSION_COOKIE, portalPermissionsOf } from '../portal/portal-session';
import { CONSOLE_SESSION_COOKIE } from '../sessions/session-authenticator.service';

const CSRF_RULE = `Requests other than GET, HEAD and OPTIONS must also send the session's CSRF token in the \`${CSRF_HEADER}\` header`;

type SecuritySchemes = NonNullable<NonNullable<OpenAPIObject['components']>['securitySchemes']>;
type SecurityRequirements = NonNullable<OpenAPIObject['security']>;

const SECURITY_SCHEMES: SecuritySchemes = {
  bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
  'x-api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  'console-session': {
    type: 'apiKey',
    in: 'cookie',
    name: CONSOLE_SESSION_COOKIE,
    description: `The web console's session (POST /v1/console/sessions), acting as the admin key it was opened with. ${CSRF_RULE} (\`csrfToken\` of GET /v1/console/sessions/current).`,
  },
  'portal-session': {
    type: 'apiKey',
    in: 'cookie',
    name: PORTAL_SESSION_COOKIE,
    description: `A customer portal session (POST /v1/portal/exchange), serving the portal's routes only. ${CSRF_RULE} (\`csrfToken\` of GET /v1/portal/me).`,
  },
};

/** A management route takes any of these: a key in either header, or a console session. */
const MANAGEMENT_SECURITY: SecurityRequirements = [{ bearer: [] }, { 'x-api-key': [] }, { 'console-session': [] }];

/** Who may call a route, when it is not the management default. */
type RouteAccess = 'public' | 'portal-session';

const SECURITY_OF: Record<RouteAccess, SecurityRequirements> = {
  public: [],
  'portal-session': [{ 'portal-session': [] }],
};

/**
 * The routes that differ from the management default, keyed by operation id
 * (`Controller_method`, as Nest names them): read from the declarations the guards enforce
 * (@Public, @RequirePortalPermission), so the document cannot claim another rule.
 */
export function routeAccessOf(app: INestApplication): Map<string, RouteAccess> {
  const reflector = app.get(Reflector);
  const access = new Map<string, RouteAccess>();
  for (const { controller, methodName, handler } of routeHandlers(app.get(DiscoveryService), app.get(MetadataScanner))) {
    const targets = [handler, controller];
    const operationId = `${controller.name}_${methodName}`;
    if (reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, targets)?.kind === 'public') access.set(operationId, 'public');
    else if (portalPermissionsOf(reflector, targets) !== undefined) access.set(operationId, 'portal-session');
  }
  return access;
}

/** The document with each operation's security requirement: the management default, or its route's own. */
export function withRouteSecurity(document: OpenAPIObject, access: ReadonlyMap<string, RouteAccess>): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => {
        const routeAccess = typeof operation === 'object' && operation !== null && 'operationId' in operation ? access.get(operation.operationId as string) : undefined;
        return [method, routeAccess === undefined ? operation : { ...operation, security: SECURITY_OF[routeAccess] }];
      }),
    );
  }
  return {
    ...document,
    paths,
    security: MANAGEMENT_SECURITY,
    components: { ...document.components, securitySchemes: SECURITY_SCHEMES },
  };
}
