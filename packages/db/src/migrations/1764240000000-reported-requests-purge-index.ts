import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The worker purges reported requestIds by age, a batch at a time: found by created_at, not by a scan. */
export class ReportedRequestsPurgeIndex1764240000000 implements MigrationInterface {
  name = 'ReportedRequestsPurgeIndex1764240000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX reported_requests_created_at_idx ON reported_requests (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX reported_requests_created_at_idx`);
  }
}
