import { SetMetadata } from '@nestjs/common';

export const ACCESS_METADATA = 'keywarden:access';

export type AccessRule = { kind: 'public' } | { kind: 'any-key' } | { kind: 'scopes'; scopes: string[] };

/** The handler needs every one of these scopes. */
export const RequireScopes = (...scopes: string[]) =>
  SetMetadata(ACCESS_METADATA, { kind: 'scopes', scopes } satisfies AccessRule);

/** Any valid key, admin or app, may call it. */
export const AnyValidKey = () => SetMetadata(ACCESS_METADATA, { kind: 'any-key' } satisfies AccessRule);

/** No key at all: health and docs only. */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies AccessRule);
