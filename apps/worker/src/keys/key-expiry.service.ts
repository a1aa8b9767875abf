import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { KeyExpiringData } from '@keywarden/core';
import { recordWebhookEvent } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { PeriodicJob } from '../common/periodic-job';
import type { KeyExpiryConfig } from '../config/worker-config';

export const KEY_EXPIRY_CONFIG = Symbol('KEY_EXPIRY_CONFIG');

interface DeadlineRow {
  key_id: string;
  workspace_id: string;
  app_id: string;
  customer_id: string | null;
  environment: string;
  name: string;
  prefix: string;
  reason: KeyExpiringData['reason'];
  /** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
  deadline: string;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Active app keys whose expiry or rotation deadline falls within the lead time and has
 * no `key.expiring` event yet. The rotation deadline is the current secret's issue time
 * plus the rotation period: the key's own, else its app default's (the precedence of
 * core's effectivePolicy; plans set no rotation period).
 */
const COMING_DEADLINES = `
  WITH live AS (
    SELECT k.id, k.workspace_id, k.app_id, k.customer_id, k.environment, k.name, k.expires_at, s.prefix,
           s.created_at + make_interval(days => COALESCE((k.policy ->> 'rotationPeriodDays')::int,
                                                          (a.default_policy ->> 'rotationPeriodDays')::int)) AS rotation_deadline
      FROM api_keys k
      JOIN apps a ON a.id = k.app_id AND a.deleted_at IS NULL
      JOIN LATERAL (SELECT prefix, created_at FROM key_secrets
                     WHERE key_id = k.id AND expires_at IS NULL ORDER BY id DESC LIMIT 1) s ON true
     WHERE k.kind = 'app' AND k.status = 'active'
  ), deadlines AS (
    SELECT live.*, 'expiry' AS reason, expires_at AS at FROM live WHERE expires_at IS NOT NULL
    UNION ALL
    SELECT live.*, 'rotation_period' AS reason, rotation_deadline AS at FROM live WHERE rotation_deadline IS NOT NULL
  )
  SELECT d.id AS key_id, d.workspace_id, d.app_id, d.customer_id, d.environment, d.name, d.prefix, d.reason,
         to_char(d.at AT TIME ZONE 'UTC', ${ISO}) AS deadline
    FROM deadlines d
   WHERE d.at > now() AND d.at <= now() + make_interval(days => $1)
     AND NOT EXISTS (SELECT 1 FROM webhook_events e
                      WHERE e.dedupe_key = 'key.expiring:' || d.id || ':' || to_char(d.at AT TIME ZONE 'UTC', ${ISO}))
   ORDER BY d.at
   LIMIT $2`;

const PAGE = 500;

/**
 * Records `key.expiring` ahead of each key's expiry and rotation deadline, on start and
 * then every KW_KEY_EXPIRY_SCAN_MS. Once per key and deadline: the dedupe key
 * `key.expiring:{keyId}:{deadline}` makes a repeat (another scan, another worker) a no-op,
 * and a new deadline (the key was rotated or its expiry moved) gets its own event.
 */
@Injectable()
export class KeyExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyExpiryService.name);
  private readonly job: PeriodicJob;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KEY_EXPIRY_CONFIG) private readonly config: KeyExpiryConfig,
  ) {
    this.job = new PeriodicJob('key expiry scan', config.scanMs, this.logger, async () => {
      const recorded = await this.scan();
      if (recorded > 0) this.logger.log(`recorded ${recorded} key.expiring event(s)`);
    });
  }

  onApplicationBootstrap(): void {
    void this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One scan; answers how many events it recorded. */
  async scan(): Promise<number> {
    let recorded = 0;
    for (;;) {
      const rows: DeadlineRow[] = await this.dataSource.query(COMING_DEADLINES, [this.config.leadDays, PAGE]);
      if (rows.length === 0) return recorded;
      await this.dataSource.transaction(async (manager) => {
        for (const row of rows) {
          const data: KeyExpiringData = {
            keyId: row.key_id,
            appId: row.app_id,
            environment: row.environment,
            name: row.name,
            prefix: row.prefix,
            customerId: row.customer_id,
            expiresAt: row.deadline,
            reason: row.reason,
          };
          const id = await recordWebhookEvent(manager, {
            workspaceId: row.workspace_id,
            appId: row.app_id,
            customerId: row.customer_id,
            type: 'key.expiring',
            data,
            dedupeKey: `key.expiring:${row.key_id}:${row.deadline}`,
          });
          if (id !== null) recorded++;
        }
      });
      if (rows.length < PAGE) return recorded;
    }
  }
}
