import { type KeyContainment, type KeyContainmentEventData, replacesContainment } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import { type AuditActor, recordAuditEntries } from './audit-entries';
import { recordWebhookEvent } from './webhook-events';

interface ContainedKeyRow {
  id: string;
  workspace_id: string;
  app_id: string;
  customer_id: string | null;
  environment: string;
  name: string;
  status: string;
  containment: KeyContainment | null;
  prefix: string | null;
}

const KEY_FOR_CONTAINMENT = `
  SELECT k.id, k.workspace_id, k.app_id, k.customer_id, k.environment, k.name, k.status, k.containment,
         (SELECT s.prefix FROM key_secrets s WHERE s.key_id = k.id ORDER BY s.expires_at IS NULL DESC, s.created_at DESC LIMIT 1) AS prefix
    FROM api_keys k`;

async function recordChange(
  manager: EntityManager,
  key: ContainedKeyRow,
  change: 'key.contained' | 'key.released',
  containment: KeyContainment,
  actor: AuditActor | null,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAuditEntries(manager, actor, key.workspace_id, [
    { action: change, targetType: 'key', targetId: key.id, details: { appId: key.app_id, ...containment, ...details } },
  ]);
  const data: KeyContainmentEventData = {
    keyId: key.id,
    appId: key.app_id,
    customerId: key.customer_id,
    environment: key.environment,
    name: key.name,
    prefix: key.prefix ?? '',
    containment,
  };
  await recordWebhookEvent(manager, { workspaceId: key.workspace_id, appId: key.app_id, customerId: key.customer_id, type: change, data });
}

/**
 * Puts a containment on a key (a detector alert opened), in the caller's transaction:
 * the key row (read with every credential), `key.contained` audited and sent. False
 * when the key is revoked or already holds an equal or stronger containment. The
 * caller publishes the key's invalidation after commit.
 */
export async function containKey(manager: EntityManager, keyId: string, containment: KeyContainment): Promise<boolean> {
  const [key]: ContainedKeyRow[] = await manager.query(`${KEY_FOR_CONTAINMENT} WHERE k.id = $1 FOR UPDATE OF k`, [keyId]);
  if (!key || key.status === 'revoked' || !replacesContainment(key.containment, containment)) return false;
  await manager.query(`UPDATE api_keys SET containment = $2, updated_at = now() WHERE id = $1`, [keyId, containment]);
  await recordChange(manager, key, 'key.contained', containment, null, {});
  return true;
}

/**
 * Ends the containment an alert put on its key (the alert was resolved, or an admin
 * lifted it): `key.released` audited and sent. Returns the key's id, or null when the
 * alert contains nothing (any more).
 */
export async function releaseContainment(
  manager: EntityManager,
  alertId: string,
  actor: AuditActor | null,
  reason: 'resolved' | 'lifted',
): Promise<string | null> {
  const [key]: ContainedKeyRow[] = await manager.query(
    `${KEY_FOR_CONTAINMENT} WHERE k.containment->>'alertId' = $1 FOR UPDATE OF k`,
    [alertId],
  );
  if (!key?.containment) return null;
  await manager.query(`UPDATE api_keys SET containment = NULL, updated_at = now() WHERE id = $1`, [key.id]);
  await recordChange(manager, key, 'key.released', key.containment, actor, { reason });
  return key.id;
}
