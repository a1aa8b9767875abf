import type { OpenAPIObject } from '@nestjs/swagger';

type Headers = NonNullable<NonNullable<OpenAPIObject['components']>['headers']>;

const HEADER_REF = '#/components/headers/';

/** What the key-policy guard sets on every answer of a route it admits callers to (docs/policies.md). */
const RATE_LIMIT_HEADERS: Headers = {
  'X-RateLimit-Limit': {
    description: "The limit of the calling key's tightest rate window (fewest requests remaining). Absent when no window was consulted: a refusal for the client IP, or a key without rate limits where the deployment sets no default (KW_ADMIN_RATE_LIMIT_PER_MINUTE=0).",
    schema: { type: 'integer', minimum: 1 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in that window.',
    schema: { type: 'integer', minimum: 0 },
  },
  'X-RateLimit-Reset': {
    description: 'When that window resets, in Unix epoch seconds.',
    schema: { type: 'integer' },
  },
};

const RETRY_AFTER: Headers = {
  'Retry-After': {
    description: 'Seconds until the request could pass (at least 1): when the used-up window resets.',
    schema: { type: 'integer', minimum: 1 },
  },
};

const refsTo = (headers: Headers) => Object.fromEntries(Object.keys(headers).map((name) => [name, { $ref: `${HEADER_REF}${name}` }]));

/**
 * The document with the calling key's rate limit on every route the key-policy guard
 * admits callers to, which is every route that is not public (verify included): each
 * answer carries the X-RateLimit-* headers, and a 429 RATE_LIMITED (the 4XX error
 * envelope) carries Retry-After too. Runs after the routes' security and error responses
 * are in place.
 */
export function withRateLimits(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => {
        if (typeof operation !== 'object' || operation === null || !('responses' in operation)) return [method, operation];
        const security = (operation.security ?? document.security ?? []) as unknown[];
        if (security.length === 0) return [method, operation];
        const responses: Record<string, object> = Object.fromEntries(
          Object.entries(operation.responses as Record<string, { headers?: object }>).map(([status, response]) => [
            status,
            { ...response, headers: { ...response.headers, ...refsTo(RATE_LIMIT_HEADERS) } },
          ]),
        );
        const refusal = operation.responses['4XX'] as { content?: object };
        responses['429'] = {
          description: 'RATE_LIMITED: the calling key used up one of its rate windows.',
          headers: refsTo({ ...RETRY_AFTER, ...RATE_LIMIT_HEADERS }),
          content: refusal.content,
        };
        return [method, { ...operation, responses }];
      }),
    );
  }
  return { ...document, paths, components: { ...document.components, headers: { ...document.components?.headers, ...RETRY_AFTER, ...RATE_LIMIT_HEADERS } } };
}
