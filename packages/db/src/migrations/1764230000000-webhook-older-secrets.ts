import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secrets replaced before the previous one that still sign alongside the current secret:
 * a second rotation within a rotation's overlap no longer cuts the first secret's overlap
 * short. Each entry is `{sealed, expiresAt}`, newest first.
 */
export class WebhookOlderSecrets1764230000000 implements MigrationInterface {
  name = 'WebhookOlderSecrets1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints ADD COLUMN older_secrets jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_endpoints DROP COLUMN older_secrets`);
  }
}
