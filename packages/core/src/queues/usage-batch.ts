import type { UsageBatchJob, UsageEvent } from '../wire/usage';

/**
 * A usage batch as it travels on the queue: every distinct string of the batch once, the
 * events' ids, and a flat list of numbers. Events of one batch repeat the same workspace,
 * app, key, route, scope and outcome, and a JSON object repeats every field name per
 * event: the plain form is about five times larger, and producing its JSON was a
 * measurable share of the API's CPU per verify (bench/README.md). A list holding only
 * numbers is also what V8's JSON.stringify writes fastest.
 */
export interface CompactUsageBatch {
  batchId: string;
  /** Which layout `cells` follow; a layout change gets a new name. */
  format: typeof COMPACT_USAGE_FORMAT;
  /** Every distinct string value of the batch's events (but ids), once. */
  strings: string[];
  /** The events' ids, in order (unique, so never shared). */
  ids: string[];
  /**
   * `CELLS_PER_EVENT` numbers per event, in the order of `ids`, its fields in
   * `COMPACT_USAGE_CELLS` order: a string field as the index of its value in `strings`
   * (-1: null, -2: the event has no such field), a number field as itself.
   */
  cells: number[];
}

/**
 * What a usage job's data may be: the compact form the API produces, or the plain form
 * (`UsageBatchJob`) that earlier producers queued and spooled. The worker reads both.
 */
export type UsageBatchJobData = CompactUsageBatch | UsageBatchJob;

export const COMPACT_USAGE_FORMAT = 'indexed-1';

/** The event fields of one event's cells, in order (every field but `id`). */
export const COMPACT_USAGE_CELLS = [
  'timestamp',
  'workspaceId',
  'appId',
  'keyId',
  'customerId',
  'kind',
  'route',
  'scope',
  'model',
  'outcome',
  'status',
  'ip',
  'units',
  'costMicros',
  'latencyMs',
  'requestId',
] as const satisfies ReadonlyArray<Exclude<keyof UsageEvent, 'id'>>;

const CELLS_PER_EVENT = COMPACT_USAGE_CELLS.length;
const NULL = -1;
const ABSENT = -2;

/** A compact batch this code cannot read: of an unknown layout, or not fitting its own. Retrying cannot help. */
export class MalformedUsageBatchError extends Error {
  constructor(batchId: string, problem: string) {
    super(`usage batch ${batchId}: ${problem}`);
    this.name = 'MalformedUsageBatchError';
  }
}

/**
 * The compact form of a batch (what the API enqueues). Field by field, in
 * `COMPACT_USAGE_CELLS` order, rather than a loop over field names: it runs for every event.
 */
export function encodeUsageBatch(job: UsageBatchJob): CompactUsageBatch {
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const index = (value: string | null | undefined): number => {
    if (value === null) return NULL;
    if (value === undefined) return ABSENT;
    let at = indexes.get(value);
    if (at === undefined) {
      at = strings.push(value) - 1;
      indexes.set(value, at);
    }
    return at;
  };
  const ids: string[] = [];
  const cells: number[] = [];
  for (const event of job.events) {
    ids.push(event.id);
    cells.push(
      index(event.timestamp),
      index(event.workspaceId),
      index(event.appId),
      index(event.keyId),
      index(event.customerId),
      index(event.kind),
      index(event.route),
      index(event.scope),
      index(event.model),
      index(event.outcome),
      event.status,
      index(event.ip),
      event.units,
      event.costMicros,
      event.latencyMs,
      index(event.requestId),
    );
  }
  return { batchId: job.batchId, format: COMPACT_USAGE_FORMAT, strings, ids, cells };
}

/**
 * The batch's events, whichever form it was queued in. Throws MalformedUsageBatchError on
 * a compact batch of an unknown layout (a newer producer than this worker) or one that
 * does not fit its layout.
 */
export function decodeUsageBatch(data: UsageBatchJobData): UsageBatchJob {
  if (!('format' in data)) return data;
  const { batchId, strings, ids, cells } = data;
  if (data.format !== COMPACT_USAGE_FORMAT) throw new MalformedUsageBatchError(batchId, `unknown format ${String(data.format)}`);
  if (!Array.isArray(strings) || !Array.isArray(ids) || !Array.isArray(cells)) {
    throw new MalformedUsageBatchError(batchId, 'strings, ids or cells missing');
  }
  if (cells.length !== ids.length * CELLS_PER_EVENT) {
    throw new MalformedUsageBatchError(batchId, `${cells.length} cells for ${ids.length} events`);
  }
  const text = (at: number): string | null => {
    if (at === NULL) return null;
    const value = strings[at];
    if (typeof value !== 'string') throw new MalformedUsageBatchError(batchId, `string index ${at} out of range`);
    return value;
  };
  const number = (value: number): number => {
    if (typeof value !== 'number') throw new MalformedUsageBatchError(batchId, `${JSON.stringify(value)} where a number belongs`);
    return value;
  };
  const events = ids.map((id, e): UsageEvent => {
    if (typeof id !== 'string') throw new MalformedUsageBatchError(batchId, `event id ${JSON.stringify(id)}`);
    const at = e * CELLS_PER_EVENT;
    const customerId = cells[at + 4];
    return {
      id,
      timestamp: text(cells[at]) as string,
      workspaceId: text(cells[at + 1]) as string,
      appId: text(cells[at + 2]),
      keyId: text(cells[at + 3]),
      ...(customerId === ABSENT ? {} : { customerId: text(customerId) }),
      kind: text(cells[at + 5]) as UsageEvent['kind'],
      route: text(cells[at + 6]) as string,
      scope: text(cells[at + 7]),
      model: text(cells[at + 8]),
      outcome: text(cells[at + 9]) as string,
      status: number(cells[at + 10]),
      ip: text(cells[at + 11]),
      units: number(cells[at + 12]),
      costMicros: number(cells[at + 13]),
      latencyMs: number(cells[at + 14]),
      requestId: text(cells[at + 15]),
    };
  });
  return { batchId, events };
}
