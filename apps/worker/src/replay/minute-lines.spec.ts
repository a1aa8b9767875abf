import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { CanonicalMinuteReader, feedLines, type LineSink, type MinuteLine } from './minute-lines';
import { parseMinuteLine } from './replay';

/** A sink that records what arrives, reading minute lines with `reader` (none: every line as text). */
function recorder(reader: CanonicalMinuteReader | null) {
  const got: Array<{ line: string } | { row: MinuteLine }> = [];
  const sink: LineSink = { reader, line: (line) => got.push({ line }), row: (row) => got.push({ row }) };
  return { sink, got };
}

async function readlineLines(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

describe('feedLines', () => {
  const texts = [
    'a\nb\n',
    'a\nb',
    'a\r\nb\r\n\r\nc',
    'a\rb\r\rc\r',
    'a\r\r\n\nb\r',
    '\n\n',
    '',
    'é\r\n☃\n',
  ];

  it.each(texts.map((t) => [JSON.stringify(t), t]))('splits %s into the lines node:readline gives, wherever the chunks break', async (_name, text) => {
    for (let cut = 0; cut <= text.length; cut++) {
      const chunks = [text.slice(0, cut), text.slice(cut)];
      const { sink, got } = recorder(null);
      await feedLines(Readable.from(chunks), sink);
      expect(got.map((g) => ('line' in g ? g.line : null))).toEqual(await readlineLines(chunks));
    }
  });

  it('hands the lines its reader takes over as rows, the others as text', async () => {
    const { sink, got } = recorder(new CanonicalMinuteReader('app_0'));
    const minute = '{"ts":"2026-01-05T00:00:00.000Z","app":"app_0","key":"k","model":null,"count":3}';
    await feedLines(Readable.from([`${minute}\n{"other":1}\r\n`]), sink);
    expect(got).toEqual([{ row: { minuteStartMs: Date.UTC(2026, 0, 5), keyId: 'k', model: null, count: 3 } }, { line: '{"other":1}' }]);
  });
});

describe('CanonicalMinuteReader', () => {
  const reader = () => new CanonicalMinuteReader('app_0');
  const line = (fields: string) => `{"ts":"2026-01-05T10:00:00.000Z","app":"app_0",${fields}}`;

  it.each([
    line('"key":"key_a","model":"gpt-4o","count":12'),
    line('"key":"key_a","model":null,"count":0'),
    line('"key":"k y","model":"","count":999999999999999'),
    '{"ts":"2026-01-05T10:00:00Z","app":"app_0","key":"key_a","model":"m","count":1}',
  ])('reads %s as JSON.parse does', (text) => {
    expect(reader().read(text)).toEqual(parseMinuteLine(text, 2, 'app_0'));
  });

  it.each([
    ['whitespace', line(' "key":"key_a","model":"m","count":1')],
    ['an escaped key', line('"key":"key\\u0041","model":"m","count":1')],
    ['an escaped quote in the model', line('"key":"key_a","model":"a\\"b","count":1')],
    ['a count with a leading zero', line('"key":"key_a","model":"m","count":01')],
    ['a fractional count', line('"key":"key_a","model":"m","count":1.0')],
    ['a count in exponent form', line('"key":"key_a","model":"m","count":1e3')],
    ['a count beyond 15 digits', line('"key":"key_a","model":"m","count":1234567890123456')],
    ['a negative count', line('"key":"key_a","model":"m","count":-1')],
    ['another app', '{"ts":"2026-01-05T10:00:00.000Z","app":"app_9","key":"key_a","model":"m","count":1}'],
    ['fields in another order', '{"app":"app_0","ts":"2026-01-05T10:00:00.000Z","key":"key_a","model":"m","count":1}'],
    ['a timestamp inside a minute', '{"ts":"2026-01-05T10:00:30.000Z","app":"app_0","key":"key_a","model":"m","count":1}'],
    ['a timestamp that is no date', '{"ts":"soon","app":"app_0","key":"key_a","model":"m","count":1}'],
    ['an empty key', line('"key":"","model":"m","count":1')],
    ['a missing model', line('"key":"key_a","count":1')],
    ['a trailing field', line('"key":"key_a","model":"m","count":1,"x":2')],
  ])('leaves a line with %s to the general path', (_name, text) => {
    expect(reader().read(text)).toBeNull();
  });

  it('parses a timestamp again when the minute changes', () => {
    const r = reader();
    const at = (ts: string) => r.read(`{"ts":"${ts}","app":"app_0","key":"k","model":null,"count":1}`)?.minuteStartMs;
    expect([at('2026-01-05T10:00:00.000Z'), at('2026-01-05T10:00:00.000Z'), at('2026-01-05T10:01:00.000Z')]).toEqual([
      Date.UTC(2026, 0, 5, 10),
      Date.UTC(2026, 0, 5, 10),
      Date.UTC(2026, 0, 5, 10, 1),
    ]);
  });
});
