import { Injectable, Logger } from '@nestjs/common';
import { MAX_LEAK_REPORTS_KEPT, newId } from '@keywarden/core';
import { AlertEntity, recordAlertEvent } from '@keywarden/db';
import { DataSource } from 'typeorm';

/** Where a canary was presented: what its alert tells (all optional: the caller may not know). */
export interface CanaryUse {
  ip?: string;
  model?: string;
  userAgent?: string;
  /** `verify` (a platform asked about it) or `api` (presented to Keywarden's own API). */
  surface?: 'verify' | 'api';
}

export interface CanaryKey {
  keyId: string;
  workspaceId: string;
  appId: string | null;
}

/**
 * A canary key was used: a critical `canary_used` alert, opened at the first use with its
 * `alert.canary_used` webhook. Further uses while it is unresolved are the same incident
 * (occurrences, latest uses in the evidence), so a thief hammering a canary cannot flood
 * anyone's webhooks; once resolved, the next use opens a new alert.
 */
@Injectable()
export class CanaryAlarm {
  private readonly logger = new Logger(CanaryAlarm.name);

  constructor(private readonly dataSource: DataSource) {}

  /** Fire and forget: the answer to the caller never waits for the alarm. */
  raise(key: CanaryKey, use: CanaryUse, now: Date): void {
    this.record(key, use, now).catch((error: Error) => this.logger.error(`canary alert for key ${key.keyId} failed: ${error.message}`));
  }

  async record(key: CanaryKey, use: CanaryUse, now: Date): Promise<void> {
    if (key.appId === null) return;
    const sighting = {
      ip: use.ip ?? null,
      model: use.model ?? null,
      userAgent: use.userAgent ?? null,
      surface: use.surface ?? 'verify',
      usedAt: now.toISOString(),
    };
    const evidence = { observed: 1, expected: 0, window: 'incident', baselineHours: 0, ...sighting, uses: [sighting] };
    await this.dataSource.transaction(async (manager) => {
      // One statement, so that concurrent uses land in one alert (the partial unique index).
      const rows: Array<{ id: string; inserted: boolean }> = await manager.query(
        `INSERT INTO alerts (id, workspace_id, app_id, key_id, model, type, fingerprint, status, severity, evidence,
                             first_detected_at, last_detected_at, occurrences)
         VALUES ($1, $2, $3, $4, $5, 'canary_used', $6, 'open', 'critical', $7, $8, $8, 1)
         ON CONFLICT (app_id, fingerprint) WHERE status <> 'resolved' DO UPDATE SET
           occurrences = alerts.occurrences + 1,
           last_detected_at = excluded.last_detected_at,
           evidence = excluded.evidence || jsonb_build_object(
             'observed', alerts.occurrences + 1,
             'uses', jsonb_path_query_array(excluded.evidence->'uses' || (alerts.evidence->'uses'), '$[0 to ${MAX_LEAK_REPORTS_KEPT - 1}]')),
           updated_at = now()
         RETURNING id, (xmax = 0) AS inserted`,
        [newId('alert'), key.workspaceId, key.appId, key.keyId, use.model ?? null, `canary_used:${key.keyId}`, evidence, now],
      );
      const [row] = rows;
      if (!row.inserted) return;
      const alert = await manager.findOneByOrFail(AlertEntity, { id: row.id });
      await recordAlertEvent(manager, alert, now);
    });
  }
}
