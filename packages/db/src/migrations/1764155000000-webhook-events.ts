import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event outbox: producers insert an event in the same transaction as the change it
 * describes, so an event exists exactly when its change committed; the worker fans
 * undispatched events out to webhook endpoints. `dedupe_key` makes "once per key per
 * day"-style events idempotent across instances.
 */
export class WebhookEvents1764155000000 implements MigrationInterface {
  name = 'WebhookEvents1764155000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_events (
        id             text COLLATE "C" PRIMARY KEY,
        workspace_id   text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        app_id         text COLLATE "C" NOT NULL REFERENCES apps (id),
        type           text NOT NULL,
        data           jsonb NOT NULL,
        occurred_at    timestamptz NOT NULL DEFAULT now(),
        dedupe_key     text UNIQUE,
        dispatched_at  timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_events_undispatched_idx ON webhook_events (occurred_at) WHERE dispatched_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX webhook_events_app_idx ON webhook_events (app_id, occurred_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_events`);
  }
}
