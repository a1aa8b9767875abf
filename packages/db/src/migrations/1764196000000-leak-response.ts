import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leak response: per-app leak response and containment settings, canary keys, the
 * containment in force on a key, `leak` and `canary_used` alerts (canaries are `critical`),
 * and bulk key operations remembered by idempotency key.
 */
export class LeakResponse1764196000000 implements MigrationInterface {
  name = 'LeakResponse1764196000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE apps ADD COLUMN leak_response text NOT NULL DEFAULT 'revoke' CHECK (leak_response IN ('revoke', 'disable', 'notify'))`,
    );
    // Only the alert types an admin set; the others are `none`.
    await queryRunner.query(`ALTER TABLE apps ADD COLUMN containment jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN canary boolean NOT NULL DEFAULT false`);
    // The containment in force (KeyContainment), null when none: read with the credential.
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN containment jsonb`);
    await queryRunner.query(`CREATE INDEX api_keys_created_by_idx ON api_keys (workspace_id, created_by) WHERE kind = 'app'`);

    await queryRunner.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`);
    await queryRunner.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('spike', 'unusual_model', 'off_hours', 'leak', 'canary_used'))`,
    );
    await queryRunner.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_severity_check`);
    await queryRunner.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_severity_check CHECK (severity IN ('low', 'medium', 'high', 'critical'))`,
    );
    // A key's latest leak incident (reports within 24 h join it).
    await queryRunner.query(`CREATE INDEX alerts_key_type_idx ON alerts (key_id, type, first_detected_at DESC)`);

    await queryRunner.query(`
      CREATE TABLE bulk_operations (
        id               text COLLATE "C" PRIMARY KEY,
        workspace_id     text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        idempotency_key  text NOT NULL,
        request_hash     text NOT NULL,
        actor_key_id     text COLLATE "C",
        action           text NOT NULL,
        result           jsonb,
        created_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, idempotency_key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE bulk_operations`);
    await queryRunner.query(`DROP INDEX alerts_key_type_idx`);
    await queryRunner.query(`DELETE FROM alerts WHERE type IN ('leak', 'canary_used')`);
    await queryRunner.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_severity_check`);
    await queryRunner.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_severity_check CHECK (severity IN ('low', 'medium', 'high'))`);
    await queryRunner.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`);
    await queryRunner.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('spike', 'unusual_model', 'off_hours'))`);
    await queryRunner.query(`DROP INDEX api_keys_created_by_idx`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN containment`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN canary`);
    await queryRunner.query(`ALTER TABLE apps DROP COLUMN containment`);
    await queryRunner.query(`ALTER TABLE apps DROP COLUMN leak_response`);
  }
}
