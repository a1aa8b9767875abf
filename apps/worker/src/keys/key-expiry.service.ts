import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { KeyExpiringData } from '@keywarden/core';
import { comingKeyDeadlines, customerAudienceOf, recordWebhookEvent } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { PeriodicJob } from '../common/periodic-job';
import type { KeyExpiryConfig } from '../config/worker-config';
import { MetricsService } from '../metrics/metrics.service';

export const KEY_EXPIRY_CONFIG = Symbol('KEY_EXPIRY_CONFIG');

const PAGE = 500;

/**
 * Records `key.expiring` ahead of each key's expiry and rotation deadline, on start and
 * then every KW_KEY_EXPIRY_SCAN_MS, so that the latest one a key's receivers heard (per
 * reason) names its current deadline: a deadline that moved (rotation, a new expiry, even
 * back to one announced before) is announced again. Each announcement of a key and reason
 * is numbered: the dedupe key `key.expiring:{keyId}:{reason}:{n}` (n = 1 + the earlier
 * ones) is the same for every scan that sees the same announcements, so a repeat (another
 * scan, another worker at once) is a no-op. A number rather than the deadline: a deadline
 * announced before may need announcing again.
 */
@Injectable()
export class KeyExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyExpiryService.name);
  private readonly job: PeriodicJob;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KEY_EXPIRY_CONFIG) private readonly config: KeyExpiryConfig,
    metrics: MetricsService,
  ) {
    this.job = new PeriodicJob('key expiry scan', config.scanMs, this.logger, async () => {
      const recorded = await this.scan();
      if (recorded > 0) this.logger.log(`recorded ${recorded} key.expiring event(s)`);
      metrics.keyExpiryScans.inc();
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
      const rows = await comingKeyDeadlines(this.dataSource, this.config.leadDays, PAGE);
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
            customerId: customerAudienceOf({ canary: row.canary, customerId: row.customer_id }),
            type: 'key.expiring',
            data,
            dedupeKey: `key.expiring:${row.key_id}:${row.reason}:${row.announced + 1}`,
          });
          if (id !== null) recorded++;
        }
      });
      if (rows.length < PAGE) return recorded;
    }
  }
}
