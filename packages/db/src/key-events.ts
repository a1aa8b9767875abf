import type { KeyEventData } from '@keywarden/core';
import { customerAudienceOf, recordWebhookEvents } from './webhook-events';
import type { EntityManager } from 'typeorm';

export interface KeyEventSubject {
  id: string;
  workspaceId: string;
  appId: string;
  environment: string;
  name: string;
  customerId: string | null;
  /** Who hears of its events: `customerAudienceOf`. */
  canary: boolean;
}

/**
 * `key.created` / `key.rotated` / `key.revoked` into the webhook outbox, in the caller's
 * transaction: identity and display prefix only, never the secret.
 */
export async function recordKeyEvent(
  manager: EntityManager,
  type: KeyEventType,
  key: KeyEventSubject,
  prefix: string,
): Promise<void> {
  await recordKeyEvents(manager, type, [{ key, prefix }]);
}

export type KeyEventType = 'key.created' | 'key.rotated' | 'key.revoked';

/** One event per key, in one statement. */
export async function recordKeyEvents(
  manager: EntityManager,
  type: KeyEventType,
  keys: Array<{ key: KeyEventSubject; prefix: string }>,
): Promise<void> {
  await recordWebhookEvents(
    manager,
    keys.map(({ key, prefix }) => {
      const data: KeyEventData = {
        keyId: key.id,
        appId: key.appId,
        environment: key.environment,
        name: key.name,
        prefix,
        customerId: key.customerId,
      };
      return { workspaceId: key.workspaceId, appId: key.appId, customerId: customerAudienceOf(key), type, data };
    }),
  );
}
