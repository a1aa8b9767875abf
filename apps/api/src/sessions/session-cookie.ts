import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Cookies are sent to the API's routes only: the pages themselves never need them. */
const COOKIE_PATH = '/v1';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  return parse(header)[name] || undefined;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over HTTPS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, name: string, token: string, expiresAt: number): void {
  reply.header(
    'set-cookie',
    serialize(name, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: COOKIE_PATH,
      expires: new Date(expiresAt),
    }),
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, name: string): void {
  reply.header(
    'set-cookie',
    serialize(name, '', { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: COOKIE_PATH, maxAge: 0 }),
  );
}
