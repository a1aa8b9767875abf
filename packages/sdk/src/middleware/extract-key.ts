import type { IncomingHttpHeaders } from 'node:http';

const BEARER = /^bearer\s+(.*)$/i;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Authorization: Bearer <key>` (the scheme in any case), else `X-API-Key`. Another
 * Authorization scheme (e.g. Basic from a proxy) does not hide an X-API-Key.
 */
export function keyFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const bearer = BEARER.exec(single(headers.authorization)?.trim() ?? '')?.[1].trim();
  if (bearer) return bearer;
  return single(headers['x-api-key'])?.trim() || undefined;
}
