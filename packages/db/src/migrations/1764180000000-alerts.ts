import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anomaly alerts: per-app detector settings, the detectors' persisted state with the last
 * minute they stepped, and the alerts themselves (one non-resolved alert per app and
 * fingerprint, enforced by a partial unique index).
 */
export class Alerts1764180000000 implements MigrationInterface {
  name = 'Alerts1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Only the settings an admin changed: defaults stay the code's.
    await queryRunner.query(`ALTER TABLE apps ADD COLUMN detection_settings jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`
      CREATE TABLE app_detection_state (
        app_id             text COLLATE "C" PRIMARY KEY REFERENCES apps (id),
        state              jsonb,
        watermark          timestamptz,
        open_fingerprints  text[] NOT NULL DEFAULT '{}',
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE alerts (
        id                      text COLLATE "C" PRIMARY KEY,
        workspace_id            text COLLATE "C" NOT NULL REFERENCES workspaces (id),
        app_id                  text COLLATE "C" NOT NULL REFERENCES apps (id),
        key_id                  text COLLATE "C" NOT NULL REFERENCES api_keys (id),
        model                   text,
        type                    text NOT NULL CHECK (type IN ('spike', 'unusual_model', 'off_hours')),
        fingerprint             text NOT NULL,
        status                  text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        severity                text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
        evidence                jsonb NOT NULL,
        first_detected_at       timestamptz NOT NULL,
        last_detected_at        timestamptz NOT NULL,
        occurrences             integer NOT NULL DEFAULT 1,
        acknowledged_at         timestamptz,
        acknowledged_by         text COLLATE "C",
        resolved_at             timestamptz,
        resolved_by             text COLLATE "C",
        resolution              text CHECK (resolution IN ('quiet_period', 'admin')),
        incident_close_pending  boolean NOT NULL DEFAULT false,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND resolution IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX alerts_unresolved_fingerprint_uq ON alerts (app_id, fingerprint) WHERE status <> 'resolved'`,
    );
    await queryRunner.query(`CREATE INDEX alerts_workspace_idx ON alerts (workspace_id, id)`);
    await queryRunner.query(`CREATE INDEX alerts_app_idx ON alerts (app_id, id)`);
    // Admin-resolved alerts whose incident the detector has yet to forget.
    await queryRunner.query(`CREATE INDEX alerts_close_pending_idx ON alerts (app_id) WHERE incident_close_pending`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE alerts`);
    await queryRunner.query(`DROP TABLE app_detection_state`);
    await queryRunner.query(`ALTER TABLE apps DROP COLUMN detection_settings`);
  }
}
