import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One random id per database, made when the database is first migrated. API and worker
 * derive their default queue namespace from it, so two deployments sharing one Redis
 * (each with its own database) never consume each other's queues, however their
 * DATABASE_URLs are spelled.
 */
export class DeploymentIdentity1764185000000 implements MigrationInterface {
  name = 'DeploymentIdentity1764185000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deployment_identity (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        id          text COLLATE "C" NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `INSERT INTO deployment_identity (id) VALUES (substr(replace(gen_random_uuid()::text, '-', ''), 1, 16))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE deployment_identity`);
  }
}
