import {
  ALERT_SEVERITIES,
  type AlertSeverity,
  type AppContainmentUpdate,
  containmentFor,
  type IncidentEvent,
  newId,
} from '@keywarden/core';
import { containKey, customerOfKey, newAlertRow, recordAlertEvent, releaseContainment, unresolvedAlertForUpdate } from '@keywarden/db';
import type { EntityManager } from 'typeorm';

export interface IncidentScope {
  workspaceId: string;
  appId: string;
  /** The app's containment per alert type (omitted types: none). */
  containment: AppContainmentUpdate;
}

export type AlertChange = 'opened' | 'updated' | 'resolved';

function higher(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return ALERT_SEVERITIES.indexOf(a) >= ALERT_SEVERITIES.indexOf(b) ? a : b;
}

/**
 * Turns one incident change into the alert row and, for openings and resolutions, an
 * `alert.*` outbox event, in the caller's transaction. Every live incident has exactly one
 * unresolved alert: a detection for a fingerprint without one opens it (also when the
 * incident began in minutes that were only learned from), repeats update it without an
 * event, and a resolution without one changes nothing. (Muted keys never fire: the
 * detectors leave them out.)
 */
export async function applyIncident(
  manager: EntityManager,
  scope: IncidentScope,
  event: IncidentEvent,
  changedKeys: Set<string> = new Set(),
): Promise<AlertChange | null> {
  const open = await unresolvedAlertForUpdate(manager, scope.appId, event.fingerprint);
  const at = new Date(event.at);
  if (event.change === 'resolved') {
    if (!open) return null;
    Object.assign(open, { status: 'resolved', resolvedAt: at, resolvedBy: null, resolution: 'quiet_period' });
    await manager.save(open);
    await recordAlertEvent(manager, open, at);
    const released = await releaseContainment(manager, open.id, null, 'resolved');
    if (released) changedKeys.add(released);
    return 'resolved';
  }
  if (open) {
    open.occurrences += 1;
    open.lastDetectedAt = at;
    open.evidence = event.evidence;
    open.severity = higher(open.severity, event.severity);
    await manager.save(open);
    return 'updated';
  }
  const customerId = await customerOfKey(manager, event.keyId);
  const alert = newAlertRow(manager, {
    id: newId('alert'),
    workspaceId: scope.workspaceId,
    appId: scope.appId,
    keyId: event.keyId,
    customerId: customerId ?? null,
    model: event.model,
    type: event.type,
    fingerprint: event.fingerprint,
    severity: event.severity,
    evidence: event.evidence,
    firstDetectedAt: at,
  });
  await recordAlertEvent(manager, await manager.save(alert), at);
  // Containment starts now (wall clock), not at the minute that raised the alert.
  const containment = containmentFor(scope.containment[event.type] ?? 'none', { ...alert, type: event.type }, new Date());
  if (containment && (await containKey(manager, event.keyId, containment))) changedKeys.add(event.keyId);
  return 'opened';
}
