import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';

/** The methods our routes are declared with; Fastify adds HEAD beside every GET. */
const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Whether a route (Nest's, the verify route, the console's pages) takes `method` at this
 * URL, by the router's own match. A path parameter longer than the router's maximum makes
 * it answer with a stand-in instead of null, one that sends the request to the 404 of
 * FST_ERR_MAX_PARAM_LENGTH: that is no route. Only a real match carries the parsed query
 * string.
 */
function routeTakes(request: FastifyRequest, method: string): boolean {
  const match = request.server.findRoute({ method, url: request.url });
  return match !== null && match.searchParams !== undefined;
}

/** The methods some route answers at this URL. */
export function allowedMethodsAt(request: FastifyRequest): string[] {
  return ROUTE_METHODS.filter((method) => routeTakes(request, method));
}

/**
 * What a request no route matched is told when its path exists under other methods: 405
 * with an `Allow` header listing them. Null when the path exists under no method (a 404),
 * or under this very method: a route sent it to the not-found answer itself (a file the
 * console does not have). Called only from the not-found answer, so a routed request,
 * every verify among them, never pays for the lookups.
 */
export function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): ApiError | null {
  const allowed = allowedMethodsAt(request);
  if (allowed.length === 0 || allowed.includes(request.method)) return null;
  const allow = allowed.join(', ');
  void reply.header('allow', allow);
  return new ApiError('METHOD_NOT_ALLOWED', `Method ${request.method} is not allowed on this path; it allows ${allow}`);
}
