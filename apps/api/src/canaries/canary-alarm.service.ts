import { Injectable, Logger } from '@nestjs/common';
import { MAX_USER_AGENT_LENGTH, newId } from '@keywarden/core';
import type { FastifyRequest } from 'fastify';
import { alertById, recordAlertEvent, recordCanaryUse } from '@keywarden/db';
import { DataSource } from 'typeorm';

/** Where a canary was presented: what its alert tells (all optional: the caller may not know). */
export interface CanaryUse {
  ip?: string;
  model?: string;
  userAgent?: string;
  /** `verify` (a platform asked about it) or `api` (presented to Keywarden's own API). */
  surface?: 'verify' | 'api';
}

/**
 * Describes a use only when a canary is hit: resolving a key runs on every request, and a
 * canary almost never.
 */
export type DescribeUse = () => CanaryUse;

/** A key presented to Keywarden's own API (a bearer key, a console sign-in): where from, by whom. */
export function apiUseOf(request: Pick<FastifyRequest, 'ip' | 'headers'>): CanaryUse {
  return { surface: 'api', ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, MAX_USER_AGENT_LENGTH) };
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
      const row = await recordCanaryUse(manager, {
        alertId: newId('alert'),
        workspaceId: key.workspaceId,
        appId: key.appId as string,
        keyId: key.keyId,
        model: use.model ?? null,
        evidence,
        at: now,
      });
      if (!row.inserted) return;
      const alert = await alertById(manager, row.id);
      await recordAlertEvent(manager, alert, now);
    });
  }
}
