import type { Queryable } from './queryable';

/**
 * app_detection_state: each app's detector state and watermark (the last minute stepped),
 * kept by the worker's detection runner; its row lock is the app's detection lock, which
 * an admin resolving an alert takes too.
 */

export interface DueApp {
  appId: string;
  watermark: Date | null;
}

/**
 * Apps with work, those already running first (a first sight's warm-up takes longest):
 * closed minutes up to `lastClosed` to step (new minute rollups after the watermark, or
 * after `firstMinute` for an app never stepped; or open incidents), or incidents an admin
 * resolved that the detectors should forget now.
 */
export async function appsDueForDetection(db: Queryable, lastClosed: Date, firstMinute: Date): Promise<DueApp[]> {
  const rows: Array<{ id: string; watermark: Date | null }> = await db.query(
    `SELECT a.id, s.watermark
     FROM apps a LEFT JOIN app_detection_state s ON s.app_id = a.id
     WHERE a.deleted_at IS NULL
       AND (EXISTS (SELECT 1 FROM alerts al WHERE al.app_id = a.id AND al.incident_close_pending)
            OR ((s.watermark IS NULL OR s.watermark < $1)
                AND (cardinality(s.open_fingerprints) > 0
                     OR EXISTS (SELECT 1 FROM usage_rollups r
                                WHERE r.granularity = 'minute' AND r.app_id = a.id AND r.app_id <> '' AND r.key_id <> ''
                                  AND r.bucket > coalesce(s.watermark, $2) AND r.bucket <= $1))))
     ORDER BY s.watermark NULLS LAST, a.id`,
    [lastClosed, firstMinute],
  );
  return rows.map((row) => ({ appId: row.id, watermark: row.watermark }));
}

export interface DetectionStateRow<State> {
  /** The detectors' state as saved (null before the first step). */
  state: State | null;
  watermark: Date | null;
  open_fingerprints: string[];
}

/** The app's row, made if missing (outside any transaction, so that concurrent runners can then lock it). */
export async function ensureDetectionState(db: Queryable, appId: string): Promise<void> {
  await db.query(`INSERT INTO app_detection_state (app_id) VALUES ($1) ON CONFLICT DO NOTHING`, [appId]);
}

/** Locks the app's row for this transaction; undefined when another worker holds it (it is stepping the app). */
export async function claimDetectionState<State>(db: Queryable, appId: string): Promise<DetectionStateRow<State> | undefined> {
  const [row]: Array<DetectionStateRow<State>> = await db.query(
    `SELECT state, watermark, open_fingerprints FROM app_detection_state WHERE app_id = $1 FOR UPDATE SKIP LOCKED`,
    [appId],
  );
  return row;
}

/** Waits for the app's detection lock and holds it for this transaction (no step runs meanwhile). */
export async function lockDetectionState(db: Queryable, appId: string): Promise<void> {
  await db.query(`SELECT 1 FROM app_detection_state WHERE app_id = $1 FOR UPDATE`, [appId]);
}

export async function saveDetectionState(
  db: Queryable,
  appId: string,
  saved: { state: unknown; watermark: Date | null; openFingerprints: string[] },
): Promise<void> {
  await db.query(
    `UPDATE app_detection_state SET state = $2, watermark = $3, open_fingerprints = $4, updated_at = now()
     WHERE app_id = $1`,
    [appId, JSON.stringify(saved.state), saved.watermark, saved.openFingerprints],
  );
}
