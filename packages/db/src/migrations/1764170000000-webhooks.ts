import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook endpoints (per app, secrets sealed with AES-256-GCM), one delivery per event ×
 * endpoint, and one row per HTTP attempt. Deliveries carry their own schedule
 * (`next_attempt_at`); `enqueued_at` is null while a delivery still needs a queue job.
 */
export class Webhooks1764170000000 implements MigrationInterface {
  name = 'Webhooks1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id                          text COLLATE "C" PRIMARY KEY,
        workspace_id                text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        app_id                      text COLLATE "C" NOT NULL REFERENCES apps (id),
        url                         text NOT NULL,
        description                 text,
        event_types                 text[] NOT NULL DEFAULT '{}',
        enabled                     boolean NOT NULL DEFAULT true,
        disabled_reason             text CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
        disabled_message            text,
        disabled_at                 timestamptz,
        failing_since               timestamptz,
        secret_sealed               text NOT NULL,
        previous_secret_sealed      text,
        previous_secret_expires_at  timestamptz,
        created_at                  timestamptz NOT NULL DEFAULT now(),
        updated_at                  timestamptz NOT NULL DEFAULT now(),
        CHECK (enabled = (disabled_reason IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_app_idx ON webhook_endpoints (app_id) WHERE enabled`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_workspace_idx ON webhook_endpoints (workspace_id, id)`);
    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id                text COLLATE "C" PRIMARY KEY,
        workspace_id      text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        endpoint_id       text COLLATE "C" NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id          text COLLATE "C" NOT NULL REFERENCES webhook_events (id),
        status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts          integer NOT NULL DEFAULT 0,
        retry_index       integer NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz,
        enqueued_at       timestamptz,
        last_status_code  integer,
        last_attempt_at   timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, endpoint_id)
      )`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id)`);
    await queryRunner.query(
      `CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(`
      CREATE TABLE webhook_attempts (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id    text COLLATE "C" NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at   timestamptz NOT NULL,
        status_code    integer,
        latency_ms     integer NOT NULL,
        response_body  text,
        error          text
      )`);
    await queryRunner.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_attempts`);
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
