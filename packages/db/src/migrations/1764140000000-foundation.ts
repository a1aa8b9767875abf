import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workspaces, apps, admin + app keys with their secret versions, audit log. */
export class Foundation1764140000000 implements MigrationInterface {
  name = 'Foundation1764140000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Ids are time-ordered and serve as cursors: "C" collation keeps byte order.
    await queryRunner.query(`
      CREATE TABLE workspaces (
        id          text COLLATE "C" PRIMARY KEY,
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE apps (
        id             text COLLATE "C" PRIMARY KEY,
        workspace_id   text COLLATE "C" NOT NULL REFERENCES workspaces(id),
        name           text NOT NULL,
        timezone       text NOT NULL,
        business_hours jsonb NOT NULL,
        scope_catalog  text[] NOT NULL DEFAULT '{}',
        environments   text[] NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        deleted_at     timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX apps_workspace_name_uq ON apps (workspace_id, name) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX apps_workspace_id_idx ON apps (workspace_id, id)`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id            text COLLATE "C" PRIMARY KEY,
        workspace_id  text COLLATE "C" NOT NULL REFERENCES workspaces(id),
        kind          text NOT NULL CHECK (kind IN ('admin', 'app')),
        app_id        text COLLATE "C" REFERENCES apps(id),
        app_ids       text[],
        role          text,
        environment   text NOT NULL,
        name          text NOT NULL,
        description   text,
        "group"       text,
        scopes        text[] NOT NULL,
        metadata      jsonb NOT NULL DEFAULT '{}',
        status        text NOT NULL CHECK (status IN ('active', 'revoked', 'disabled')),
        expires_at    timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        created_by    text COLLATE "C",
        updated_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        revoked_at    timestamptz,
        CHECK ((kind = 'app') = (app_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_listing_idx ON api_keys (workspace_id, kind, id)`);
    await queryRunner.query(`CREATE INDEX api_keys_app_idx ON api_keys (app_id, id) WHERE app_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE key_secrets (
        id          text COLLATE "C" PRIMARY KEY,
        key_id      text COLLATE "C" NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        hash        bytea NOT NULL UNIQUE,
        prefix      text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX key_secrets_key_idx ON key_secrets (key_id)`);
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id            text COLLATE "C" PRIMARY KEY,
        workspace_id  text COLLATE "C" NOT NULL REFERENCES workspaces(id),
        action        text NOT NULL,
        actor_key_id  text COLLATE "C",
        target_type   text NOT NULL,
        target_id     text COLLATE "C" NOT NULL,
        ip            text,
        request_id    text,
        details       jsonb NOT NULL DEFAULT '{}',
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'key_secrets', 'api_keys', 'apps', 'workspaces']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
