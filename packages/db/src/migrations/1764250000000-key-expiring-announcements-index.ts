import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key expiry scan asks, for each coming deadline, which `key.expiring` its key last
 * announced for that reason: found through this index over those events alone, not by a
 * scan of the whole outbox.
 */
export class KeyExpiringAnnouncementsIndex1764250000000 implements MigrationInterface {
  name = 'KeyExpiringAnnouncementsIndex1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX webhook_events_key_expiring_idx ON webhook_events ((data ->> 'keyId'), (data ->> 'reason')) WHERE type = 'key.expiring'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX webhook_events_key_expiring_idx`);
  }
}
