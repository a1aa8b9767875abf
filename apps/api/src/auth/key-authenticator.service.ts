import { Injectable } from '@nestjs/common';
import { API_KEY_REQUIRED_MESSAGE } from '@keywarden/core';
import type { FastifyRequest } from 'fastify';
import { apiUseOf } from '../canaries/canary-alarm.service';
import { ApiError } from '../common/api-error';
import { principalOf } from '../credentials/credential-record';
import { KeyResolverService, type Resolution } from '../credentials/key-resolver.service';
import type { Principal } from '../credentials/principal';
import { SessionAuthenticator } from '../sessions/session-authenticator.service';

/** What a key's authentication reads of a request: the credential headers, and where it came from (canary alarms). */
export type KeyRequest = Pick<FastifyRequest, 'headers' | 'ip'>;

// Auth schemes are case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` work too.
const BEARER_CREDENTIALS = /^bearer[ \t]+(.*)$/i;

/**
 * The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`.
 * Another Authorization scheme (e.g. Basic) is not ours and leaves X-API-Key to decide.
 * null when the request presents none. A key in both is ambiguous (one of them would go
 * unused without notice), refused as repeated headers are.
 */
export function presentedKey(headers: FastifyRequest['headers']): string | null {
  const apiKey = headers['x-api-key'];
  const authorization = headers.authorization;
  const bearer = authorization ? BEARER_CREDENTIALS.exec(authorization) : null;
  if (bearer) {
    if (apiKey !== undefined) {
      throw ApiError.validation('X-API-Key', 'cannot be sent with Authorization: Bearer: a request carries exactly one credential');
    }
    return bearer[1].trim();
  }
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : null;
}

/** The principal of a resolved key; a key that is not valid is refused with its state. */
function holderOf(resolution: Resolution): Principal {
  if (resolution.state === 'UNAUTHORIZED') throw new ApiError('UNAUTHORIZED');
  if (resolution.state !== 'VALID') throw new ApiError(resolution.state);
  return principalOf(resolution.record);
}

/**
 * Who is calling: the one authentication of every non-public route, the Nest guard's and
 * the verify route's alike. A browser session stands for the key behind it; otherwise
 * the presented key is resolved through the same cache as verified app keys.
 */
@Injectable()
export class KeyAuthenticator {
  constructor(
    private readonly resolver: KeyResolverService,
    private readonly sessions: SessionAuthenticator,
  ) {}

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const key = presentedKey(request.headers);
    // A request that presents a key is never a session's: only without one is a session looked for.
    if (key === null) {
      const sessionPrincipal = await this.sessions.authenticate(request);
      if (sessionPrincipal) return sessionPrincipal;
      throw new ApiError('UNAUTHORIZED', API_KEY_REQUIRED_MESSAGE);
    }
    return this.keyHolder(key, request);
  }

  /**
   * The caller of a request that carries no cookie (so no session): its key's principal,
   * or 401. Answers (or throws) at once when the key is cached: the verify fast path
   * awaits only what is not.
   */
  authenticateKey(request: KeyRequest): Principal | Promise<Principal> {
    const key = presentedKey(request.headers);
    if (key === null) throw new ApiError('UNAUTHORIZED', API_KEY_REQUIRED_MESSAGE);
    return this.keyHolder(key, request);
  }

  private keyHolder(key: string, request: KeyRequest): Principal | Promise<Principal> {
    const resolution = this.resolver.resolve(key, new Date(), () => apiUseOf(request));
    return resolution instanceof Promise ? resolution.then(holderOf) : holderOf(resolution);
  }
}
