import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many times a delivery was asked to be sent again: an attempt in flight when a
 * redelivery is asked for sees the count change and leaves the delivery pending, so the
 * redelivery is not lost under that attempt's outcome.
 */
export class WebhookRedeliveries1764220000000 implements MigrationInterface {
  name = 'WebhookRedeliveries1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_deliveries ADD COLUMN redeliveries integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_deliveries DROP COLUMN redeliveries`);
  }
}
