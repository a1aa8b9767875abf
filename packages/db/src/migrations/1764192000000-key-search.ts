import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server-side key search that stays fast with a million keys in one app: names by
 * substring (trigram GIN index), display prefixes by leading characters, groups by equality.
 */
export class KeySearch1764192000000 implements MigrationInterface {
  name = 'KeySearch1764192000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX api_keys_name_trgm_idx ON api_keys USING gin (name gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX key_secrets_prefix_idx ON key_secrets (prefix text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX api_keys_group_idx ON api_keys (workspace_id, "group", id) WHERE "group" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_group_idx`);
    await queryRunner.query(`DROP INDEX key_secrets_prefix_idx`);
    await queryRunner.query(`DROP INDEX api_keys_name_trgm_idx`);
  }
}
