import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The key an alert contains, found when the alert ends (resolved or lifted). */
export class KeyContainmentIndex1764197000000 implements MigrationInterface {
  name = 'KeyContainmentIndex1764197000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX api_keys_containment_alert_idx ON api_keys ((containment->>'alertId')) WHERE containment IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_containment_alert_idx`);
  }
}
