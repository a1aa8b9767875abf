import type { WebhookEventType } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import type { AlertEntity } from './entities/alert.entity';
import { recordWebhookEvent } from './webhook-events';
import { toAlert } from './wire-mappers';

/**
 * `alert.<type>` when an alert opens, `alert.resolved` when it is resolved (by the
 * detector's quiet period or by an admin), in the caller's transaction; the data is the
 * alert as the API shows it. Once per alert and kind, whoever records it first. (`leak`
 * alerts open with `key.leaked` instead.)
 */
export async function recordAlertEvent(manager: EntityManager, alert: AlertEntity, occurredAt: Date): Promise<void> {
  // A leak alert opens with `key.leaked`, which its reporter records with the leak's details.
  let type: WebhookEventType;
  if (alert.status === 'resolved') type = 'alert.resolved';
  else if (alert.type === 'leak') return;
  else type = `alert.${alert.type}`;
  await recordWebhookEvent(manager, {
    workspaceId: alert.workspaceId,
    appId: alert.appId,
    customerId: alert.customerId,
    type,
    data: toAlert(alert),
    occurredAt,
    dedupeKey: `${type}:${alert.id}`,
  });
}
