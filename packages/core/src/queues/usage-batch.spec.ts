import fc from 'fast-check';
import type { UsageBatchJob, UsageEvent } from '../wire/usage';
import { COMPACT_USAGE_CELLS, COMPACT_USAGE_FORMAT, decodeUsageBatch, encodeUsageBatch, MalformedUsageBatchError } from './usage-batch';

const verifyEvent: UsageEvent = {
  id: 'evt_01hf7yat00abcdefghjkmnpqrs',
  timestamp: '2026-01-02T03:04:05.006Z',
  workspaceId: 'ws_01hf7yat000000000000000000',
  appId: 'app_01hf7yat000000000000000000',
  keyId: 'key_01hf7yat000000000000000000',
  customerId: null,
  kind: 'verify',
  route: 'POST /v1/keys/verify',
  scope: 'orders.read',
  model: null,
  outcome: 'VALID',
  status: 200,
  ip: '203.0.113.7',
  units: 0,
  costMicros: 0,
  latencyMs: 0.42,
  requestId: null,
};

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const nullableText = fc.option(text, { nil: null });
const event: fc.Arbitrary<UsageEvent> = fc.record(
  {
    id: text,
    timestamp: text,
    workspaceId: text,
    appId: nullableText,
    keyId: nullableText,
    customerId: fc.option(text, { nil: null }),
    kind: fc.constantFrom('request' as const, 'verify' as const, 'report' as const),
    route: text,
    scope: nullableText,
    model: nullableText,
    outcome: text,
    status: fc.integer({ min: 100, max: 599 }),
    ip: nullableText,
    units: fc.nat(),
    costMicros: fc.nat(),
    latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    requestId: nullableText,
  },
  // A request event has no customerId at all.
  { requiredKeys: ['id', 'timestamp', 'workspaceId', 'appId', 'keyId', 'kind', 'route', 'scope', 'model', 'outcome', 'status', 'ip', 'units', 'costMicros', 'latencyMs', 'requestId'] },
);

describe('usage batch on the queue', () => {
  it('gives back every event as it was, whatever the events hold', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        const job = { batchId: 'ubat_1', events };
        expect(decodeUsageBatch(JSON.parse(JSON.stringify(encodeUsageBatch(job))))).toEqual(job);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps an absent customerId absent and a null one null', () => {
    const { customerId: _absent, ...requestEvent } = { ...verifyEvent, kind: 'request' as const };
    const [absent, present] = decodeUsageBatch(encodeUsageBatch({ batchId: 'ubat_1', events: [requestEvent, verifyEvent] })).events;
    expect('customerId' in absent).toBe(false);
    expect(present.customerId).toBeNull();
  });

  it('writes each distinct string of a batch once', () => {
    const events = Array.from({ length: 100 }, (_, i) => ({ ...verifyEvent, id: `evt_${i}` }));
    const batch = encodeUsageBatch({ batchId: 'ubat_1', events });
    expect(batch.strings.filter((s) => s === verifyEvent.workspaceId)).toHaveLength(1);
    expect(batch.strings).not.toContain('evt_1');
    expect(batch.ids).toHaveLength(100);
    expect(JSON.stringify(batch).length * 3).toBeLessThan(JSON.stringify({ batchId: 'ubat_1', events }).length);
  });

  it('reads a batch in the plain form that earlier producers queued and spooled', () => {
    const plain: UsageBatchJob = { batchId: 'ubat_old', events: [verifyEvent] };
    expect(decodeUsageBatch(JSON.parse(JSON.stringify(plain)))).toEqual(plain);
  });

  it.each([
    ['an unknown format', { format: 'strings-2', strings: [], ids: [], cells: [] }],
    ['cells that do not fit its events', { format: COMPACT_USAGE_FORMAT, strings: [], ids: ['evt_1'], cells: [0, 1, 2] }],
    ['a string index past the strings', { format: COMPACT_USAGE_FORMAT, strings: [], ids: ['evt_1'], cells: COMPACT_USAGE_CELLS.map(() => 0) }],
    ['a string where a number belongs', { format: COMPACT_USAGE_FORMAT, strings: ['x'], ids: ['evt_1'], cells: COMPACT_USAGE_CELLS.map((field) => (field === 'status' ? '200' : 0)) }],
    ['no cells', { format: COMPACT_USAGE_FORMAT, strings: [], ids: [] }],
  ])('refuses a compact batch with %s', (_, fields) => {
    expect(() => decodeUsageBatch({ batchId: 'ubat_bad', ...fields } as never)).toThrow(MalformedUsageBatchError);
  });
});
