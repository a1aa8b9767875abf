import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customer search by part of the name or the external id, fast in a workspace with many customers (trigram GIN indexes). */
export class CustomerSearch1764213000000 implements MigrationInterface {
  name = 'CustomerSearch1764213000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX customers_external_id_trgm_idx ON customers USING gin (external_id gin_trgm_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX customers_external_id_trgm_idx`);
    await queryRunner.query(`DROP INDEX customers_name_trgm_idx`);
  }
}
