import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The worker purges processed batchIds by age, a batch at a time: found by processed_at, not by a scan. */
export class ProcessedBatchesPurgeIndex1764260000000 implements MigrationInterface {
  name = 'ProcessedBatchesPurgeIndex1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX processed_batches_processed_at_idx ON processed_batches (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX processed_batches_processed_at_idx`);
  }
}
