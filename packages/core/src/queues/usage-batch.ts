import type { UsageBatchJob, UsageEvent } from '../wire/usage';

/**
 * A usage batch as it travels on the queue: every distinct string of the batch once, and
 * one row of numbers per event. Events of one batch repeat the same workspace, app, key,
 * route, scope and outcome, and a JSON object repeats every field name per event: the
 * plain form is about five times larger, and producing its JSON was a measurable share
 * of the API's CPU per verify (bench/README.md).
 */
export interface CompactUsageBatch {
  batchId: string;
  /** Which layout `rows` follow; a layout change gets a new name. */
  format: typeof COMPACT_USAGE_FORMAT;
  /** Every distinct string value of the batch's events, once. */
  strings: string[];
  /** One row per event, columns in `USAGE_EVENT_COLUMNS` order. */
  rows: number[][];
}

/**
 * What a usage job's data may be: the compact form the API produces, or the plain form
 * (`UsageBatchJob`) that earlier producers queued and spooled. The worker reads both.
 */
export type UsageBatchJobData = CompactUsageBatch | UsageBatchJob;

export const COMPACT_USAGE_FORMAT = 'strings-1';

/** A string column's index of a null value. */
const NULL = -1;
/** A string column's index of a field the event does not have (`customerId` of a request event). */
const ABSENT = -2;

type StringField = Exclude<
  { [F in keyof UsageEvent]-?: NonNullable<UsageEvent[F]> extends string ? F : never }[keyof UsageEvent],
  undefined
>;
type NumberField = { [F in keyof UsageEvent]-?: UsageEvent[F] extends number ? F : never }[keyof UsageEvent];

/** The row layout of `COMPACT_USAGE_FORMAT`: string columns hold an index into `strings`. */
export const USAGE_EVENT_COLUMNS: ReadonlyArray<{ field: StringField; kind: 'string' } | { field: NumberField; kind: 'number' }> = [
  { field: 'id', kind: 'string' },
  { field: 'timestamp', kind: 'string' },
  { field: 'workspaceId', kind: 'string' },
  { field: 'appId', kind: 'string' },
  { field: 'keyId', kind: 'string' },
  { field: 'customerId', kind: 'string' },
  { field: 'kind', kind: 'string' },
  { field: 'route', kind: 'string' },
  { field: 'scope', kind: 'string' },
  { field: 'model', kind: 'string' },
  { field: 'outcome', kind: 'string' },
  { field: 'status', kind: 'number' },
  { field: 'ip', kind: 'string' },
  { field: 'units', kind: 'number' },
  { field: 'costMicros', kind: 'number' },
  { field: 'latencyMs', kind: 'number' },
  { field: 'requestId', kind: 'string' },
];

/** A compact batch this code cannot read: of an unknown layout, or not fitting its own. Retrying cannot help. */
export class MalformedUsageBatchError extends Error {
  constructor(batchId: string, problem: string) {
    super(`usage batch ${batchId}: ${problem}`);
    this.name = 'MalformedUsageBatchError';
  }
}

/** The compact form of a batch (what the API enqueues). */
export function encodeUsageBatch(job: UsageBatchJob): CompactUsageBatch {
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const rows: number[][] = new Array(job.events.length);
  for (let e = 0; e < job.events.length; e++) {
    const event = job.events[e] as unknown as Record<string, string | number | null | undefined>;
    const row: number[] = new Array(USAGE_EVENT_COLUMNS.length);
    for (let c = 0; c < USAGE_EVENT_COLUMNS.length; c++) {
      const { field, kind } = USAGE_EVENT_COLUMNS[c];
      const value = event[field];
      if (kind === 'number') {
        row[c] = value as number;
      } else if (value === null) {
        row[c] = NULL;
      } else if (value === undefined) {
        row[c] = ABSENT;
      } else {
        let index = indexOf.get(value as string);
        if (index === undefined) {
          index = strings.push(value as string) - 1;
          indexOf.set(value as string, index);
        }
        row[c] = index;
      }
    }
    rows[e] = row;
  }
  return { batchId: job.batchId, format: COMPACT_USAGE_FORMAT, strings, rows };
}

/**
 * The batch's events, whichever form it was queued in. Throws MalformedUsageBatchError on
 * a compact batch of an unknown layout (a newer producer than this worker) or one that
 * does not fit its layout.
 */
export function decodeUsageBatch(data: UsageBatchJobData): UsageBatchJob {
  if (!('format' in data)) return data;
  if (data.format !== COMPACT_USAGE_FORMAT) throw new MalformedUsageBatchError(data.batchId, `unknown format ${String(data.format)}`);
  if (!Array.isArray(data.rows) || !Array.isArray(data.strings)) throw new MalformedUsageBatchError(data.batchId, 'no rows or strings');
  const events = data.rows.map((row) => {
    if (!Array.isArray(row) || row.length !== USAGE_EVENT_COLUMNS.length) throw new MalformedUsageBatchError(data.batchId, `a row of ${row.length} columns`);
    const event: Record<string, string | number | null> = {};
    for (let c = 0; c < USAGE_EVENT_COLUMNS.length; c++) {
      const { field, kind } = USAGE_EVENT_COLUMNS[c];
      const value = row[c];
      if (kind === 'number') {
        event[field] = value;
      } else if (value === NULL) {
        event[field] = null;
      } else if (value !== ABSENT) {
        const text = data.strings[value];
        if (text === undefined) throw new MalformedUsageBatchError(data.batchId, `string index ${value} out of range`);
        event[field] = text;
      }
    }
    return event as unknown as UsageEvent;
  });
  return { batchId: data.batchId, events };
}
