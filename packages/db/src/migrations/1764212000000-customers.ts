import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers (SPEC §9): the platform's own customers, who hold keys and share one policy
 * across them. Keys, webhook endpoints, events, alerts and usage name the customer; usage
 * rollups gain the customer as a dimension (in the primary key, so a key that moves to
 * another customer keeps its history apart). Portal link tokens are stored as hashes and
 * used once. Audit entries gain a free-form actor (`portal:<customer id>`).
 */
export class Customers1764212000000 implements MigrationInterface {
  name = 'Customers1764212000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customers (
        id            text COLLATE "C" PRIMARY KEY,
        workspace_id  text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        external_id   text NOT NULL,
        name          text,
        metadata      jsonb NOT NULL DEFAULT '{}',
        status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        policy        jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, external_id)
      )`);
    await queryRunner.query(`CREATE INDEX customers_workspace_idx ON customers (workspace_id, id)`);

    // A deleted customer leaves its (revoked) keys without one; its scoped endpoints go with it,
    // since an endpoint without its customer would receive every customer's events.
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN customer_id text COLLATE "C" REFERENCES customers (id) ON DELETE SET NULL`);
    await queryRunner.query(`CREATE INDEX api_keys_customer_idx ON api_keys (customer_id, id) WHERE customer_id IS NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE webhook_endpoints ADD COLUMN customer_id text COLLATE "C" REFERENCES customers (id) ON DELETE CASCADE`,
    );
    await queryRunner.query(`ALTER TABLE webhook_events ADD COLUMN customer_id text COLLATE "C"`);
    await queryRunner.query(`ALTER TABLE alerts ADD COLUMN customer_id text COLLATE "C"`);
    await queryRunner.query(`CREATE INDEX alerts_customer_idx ON alerts (customer_id, id) WHERE customer_id IS NOT NULL`);

    await queryRunner.query(`ALTER TABLE access_log ADD COLUMN customer_id text COLLATE "C"`);
    await queryRunner.query(`ALTER TABLE usage_rollups ADD COLUMN customer_id text COLLATE "C" NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_pkey`);
    await queryRunner.query(
      `ALTER TABLE usage_rollups ADD PRIMARY KEY (granularity, workspace_id, bucket, app_id, key_id, model, outcome, customer_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX usage_rollups_customer_idx ON usage_rollups (granularity, customer_id, bucket) WHERE customer_id <> ''`,
    );

    await queryRunner.query(`ALTER TABLE apps ADD COLUMN portal jsonb`);
    await queryRunner.query(`ALTER TABLE audit_log ADD COLUMN actor text`);
    await queryRunner.query(`UPDATE audit_log SET actor = actor_key_id WHERE actor_key_id IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE portal_links (
        id              text COLLATE "C" PRIMARY KEY,
        token_hash      text NOT NULL UNIQUE,
        workspace_id    text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        customer_id     text COLLATE "C" NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
        app_id          text COLLATE "C" REFERENCES apps (id),
        permissions     text[] NOT NULL,
        allowed_scopes  text[],
        session_ttl_seconds integer NOT NULL,
        created_by      text COLLATE "C",
        created_at      timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL,
        used_at         timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE portal_links`);
    await queryRunner.query(`ALTER TABLE audit_log DROP COLUMN actor`);
    await queryRunner.query(`ALTER TABLE apps DROP COLUMN portal`);
    await queryRunner.query(`DROP INDEX usage_rollups_customer_idx`);
    await queryRunner.query(`DELETE FROM usage_rollups WHERE customer_id <> ''`);
    await queryRunner.query(`ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_pkey`);
    await queryRunner.query(`ALTER TABLE usage_rollups DROP COLUMN customer_id`);
    await queryRunner.query(`ALTER TABLE usage_rollups ADD PRIMARY KEY (granularity, workspace_id, bucket, app_id, key_id, model, outcome)`);
    await queryRunner.query(`ALTER TABLE access_log DROP COLUMN customer_id`);
    await queryRunner.query(`ALTER TABLE alerts DROP COLUMN customer_id`);
    await queryRunner.query(`ALTER TABLE webhook_events DROP COLUMN customer_id`);
    await queryRunner.query(`ALTER TABLE webhook_endpoints DROP COLUMN customer_id`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN customer_id`);
    await queryRunner.query(`DROP TABLE customers`);
  }
}
