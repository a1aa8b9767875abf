import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { API_KEY_REQUIRED_MESSAGE } from '@keywarden/core';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ApiError } from '../common/api-error';
import { principalOf } from '../credentials/credential-record';
import { KeyResolverService } from '../credentials/key-resolver.service';
import type { Principal } from '../credentials/principal';

export const BEARER_STRATEGY = 'bearer-key';
export const X_API_KEY_STRATEGY = 'x-api-key';

async function authenticate(resolver: KeyResolverService, apiKey: string): Promise<Principal> {
  if (!apiKey) throw new ApiError('UNAUTHORIZED', API_KEY_REQUIRED_MESSAGE);
  const resolution = await resolver.resolve(apiKey, new Date(), { surface: 'api' });
  if (resolution.state === 'UNAUTHORIZED') throw new ApiError('UNAUTHORIZED');
  if (resolution.state !== 'VALID') throw new ApiError(resolution.state);
  return principalOf(resolution.record);
}

// Auth schemes are case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` work too.
const BEARER_CREDENTIALS = /^bearer[ \t]+(.*)$/i;

/** `Authorization: Bearer <key>` */
@Injectable()
export class BearerKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, BEARER_STRATEGY) {
  constructor(private readonly resolver: KeyResolverService) {
    super({ header: 'Authorization', prefix: '' }, false);
  }

  /** Another scheme (e.g. Basic) is not ours: answering null lets the X-API-Key strategy try. */
  async validate(authorization: string): Promise<Principal | null> {
    const credentials = BEARER_CREDENTIALS.exec(authorization);
    if (!credentials) return null;
    return authenticate(this.resolver, credentials[1].trim());
  }
}

/** `X-API-Key: <key>` */
@Injectable()
export class XApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, X_API_KEY_STRATEGY) {
  constructor(private readonly resolver: KeyResolverService) {
    super({ header: 'X-API-Key', prefix: '' }, false);
  }

  validate(apiKey: string): Promise<Principal> {
    return authenticate(this.resolver, apiKey);
  }
}
