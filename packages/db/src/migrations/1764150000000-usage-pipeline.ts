import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage pipeline: a day-partitioned access log, pre-aggregated rollups at minute / hour /
 * day, and the bookkeeping that makes a redelivered batch or a replayed report a no-op.
 */
export class UsagePipeline1764150000000 implements MigrationInterface {
  name = 'UsagePipeline1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The partition key must be part of the primary key of a partitioned table.
    await queryRunner.query(`
      CREATE TABLE access_log (
        id            text COLLATE "C" NOT NULL,
        ts            timestamptz NOT NULL,
        workspace_id  text COLLATE "C" NOT NULL,
        app_id        text COLLATE "C",
        key_id        text COLLATE "C",
        kind          text NOT NULL CHECK (kind IN ('request', 'verify', 'report')),
        route         text NOT NULL,
        scope         text,
        model         text,
        outcome       text NOT NULL,
        status        smallint NOT NULL,
        ip            text,
        units         bigint NOT NULL,
        cost_micros   bigint NOT NULL,
        latency_ms    real NOT NULL,
        request_id    text,
        PRIMARY KEY (ts, id)
      ) PARTITION BY RANGE (ts)`);
    // Catches rows for days whose partition the maintenance job has not created yet.
    await queryRunner.query(`CREATE TABLE access_log_default PARTITION OF access_log DEFAULT`);
    await queryRunner.query(`CREATE INDEX access_log_key_idx ON access_log (key_id, ts DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX access_log_workspace_idx ON access_log (workspace_id, ts DESC)`);

    // Dimensions are '' rather than NULL so that the primary key can serve the upserts.
    await queryRunner.query(`
      CREATE TABLE usage_rollups (
        granularity   text NOT NULL CHECK (granularity IN ('minute', 'hour', 'day')),
        bucket        timestamptz NOT NULL,
        workspace_id  text COLLATE "C" NOT NULL,
        app_id        text COLLATE "C" NOT NULL,
        key_id        text COLLATE "C" NOT NULL,
        model         text NOT NULL,
        outcome       text NOT NULL,
        requests      bigint NOT NULL,
        units         bigint NOT NULL,
        cost_micros   bigint NOT NULL,
        PRIMARY KEY (granularity, workspace_id, bucket, app_id, key_id, model, outcome)
      )`);
    await queryRunner.query(`CREATE INDEX usage_rollups_key_idx ON usage_rollups (granularity, key_id, bucket) WHERE key_id <> ''`);
    await queryRunner.query(`CREATE INDEX usage_rollups_app_idx ON usage_rollups (granularity, app_id, bucket) WHERE app_id <> ''`);

    await queryRunner.query(`
      CREATE TABLE processed_batches (
        batch_id      text COLLATE "C" PRIMARY KEY,
        events        integer NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE reported_requests (
        workspace_id  text COLLATE "C" NOT NULL,
        request_id    text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, request_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['reported_requests', 'processed_batches', 'usage_rollups', 'access_log']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
