import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key policies: each key's own policy and each app's default policy, as JSON (money in
 * integer micro-units). NULL = none set.
 */
export class KeyPolicies1764160000000 implements MigrationInterface {
  name = 'KeyPolicies1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN policy jsonb`);
    await queryRunner.query(`ALTER TABLE apps ADD COLUMN default_policy jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE apps DROP COLUMN default_policy`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN policy`);
  }
}
