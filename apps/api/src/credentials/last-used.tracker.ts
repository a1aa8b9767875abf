import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

const FLUSH_INTERVAL_MS = 5_000;

/**
 * Collects the keys used since the last flush and writes `last_used_at` for all of
 * them in one statement, so the request path never waits on a write.
 */
@Injectable()
export class LastUsedTracker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LastUsedTracker.name);
  private pending = new Map<string, Date>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  touch(keyId: string, at = new Date()): void {
    this.pending.set(keyId, at);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.dataSource.query(
        `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.used_at)
           FROM unnest($1::text[], $2::timestamptz[]) AS u(id, used_at)
          WHERE k.id = u.id`,
        [[...batch.keys()], [...batch.values()]],
      );
    } catch (error) {
      this.logger.warn(`could not record last use of ${batch.size} keys: ${(error as Error).message}`);
    }
  }
}
