import type { Me } from '@keywarden/core';
import type { Principal } from './principal';

/** What a caller may learn about the key it authenticates with (never its secret). */
export function meOf(principal: Principal): Me {
  return {
    keyId: principal.keyId,
    kind: principal.kind,
    workspaceId: principal.workspaceId,
    name: principal.name,
    prefix: principal.prefix,
    scopes: principal.scopes,
    appIds: principal.kind === 'app' ? [principal.appId as string] : principal.appIds,
    environment: principal.environment,
    expiresAt: principal.expiresAt?.toISOString() ?? null,
  };
}
