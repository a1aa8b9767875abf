import type { KeyEventData } from '@keywarden/core';
import { recordWebhookEvent } from './webhook-events';
import type { EntityManager } from 'typeorm';

export interface KeyEventSubject {
  id: string;
  workspaceId: string;
  appId: string;
  environment: string;
  name: string;
}

/**
 * `key.created` / `key.rotated` / `key.revoked` into the webhook outbox, in the caller's
 * transaction: identity and display prefix only, never the secret.
 */
export async function recordKeyEvent(
  manager: EntityManager,
  type: 'key.created' | 'key.rotated' | 'key.revoked',
  key: KeyEventSubject,
  prefix: string,
): Promise<void> {
  const data: KeyEventData = { keyId: key.id, appId: key.appId, environment: key.environment, name: key.name, prefix };
  await recordWebhookEvent(manager, { workspaceId: key.workspaceId, appId: key.appId, type, data });
}
