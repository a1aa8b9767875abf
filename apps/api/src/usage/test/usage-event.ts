import type { UsageEvent } from '@keywarden/core';

/** A verify's usage event (unit tests of the recorder and the spool). */
export function usageEvent(id: string, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    id,
    timestamp: new Date(0).toISOString(),
    workspaceId: 'ws_1',
    appId: 'app_1',
    keyId: 'key_1',
    kind: 'verify',
    route: 'POST /v1/keys/verify',
    scope: null,
    model: null,
    outcome: 'VALID',
    status: 200,
    ip: null,
    units: 0,
    costMicros: 0,
    latencyMs: 1,
    requestId: null,
    ...overrides,
  };
}
