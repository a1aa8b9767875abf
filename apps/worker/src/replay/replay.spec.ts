import { mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAppLine, replay, replayText, ReplayInputError, type ReplayAlert } from './replay';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const START = Date.UTC(2026, 0, 5); // a Monday
const APP = { app: { id: 'app_0', timezone: 'Europe/Berlin', businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '19:00' } } };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function minuteLine(t: number, key: string, model: string | null, count: number): string {
  return JSON.stringify({ ts: new Date(t).toISOString(), app: 'app_0', key, model, count });
}

/** Writes a count file: one key at 5 requests a minute (some minutes empty), then a model the app never used. */
function writeFile(name: string, newModelAt: number, until: number): string {
  const lines = [JSON.stringify(APP)];
  for (let t = START; t < until; t += MINUTE) {
    if ((t / MINUTE) % 7 !== 0) lines.push(minuteLine(t, 'key_a', 'gpt-4o-mini', 5));
    if (t >= newModelAt && t < newModelAt + 5 * MINUTE) lines.push(minuteLine(t, 'key_a', 'o1-pro', 2));
  }
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The way `pnpm replay` reads a file. */
async function replayFile(file: string): Promise<ReplayAlert[]> {
  const alerts: ReplayAlert[] = [];
  await replayText(createReadStream(file, { encoding: 'utf8' }), (a) => alerts.push(a));
  return alerts;
}

/** Line by line through node:readline, every line by JSON.parse. */
async function replayFileByReadline(file: string): Promise<ReplayAlert[]> {
  const alerts: ReplayAlert[] = [];
  await replay(createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity }), (a) => alerts.push(a));
  return alerts;
}

async function replayLines(lines: string[]): Promise<ReplayAlert[]> {
  const alerts: ReplayAlert[] = [];
  await replay((async function* () { yield* lines; })(), (a) => alerts.push(a));
  return alerts;
}

// The first cases replay eight days of minutes through the detectors: a few seconds of
// CPU each, more than Jest's default 5 s when the test packages share the cores.
jest.setTimeout(60_000);

describe('replay', () => {
  const newModelAt = START + 8 * DAY + 10 * 60 * MINUTE;

  it('prints the opened alert in the evaluation format, timed at the end of the triggering minute', async () => {
    const alerts = await replayFile(writeFile('model.jsonl', newModelAt, newModelAt + 30 * MINUTE));
    expect(alerts).toEqual([
      {
        type: 'unusual_model',
        app: 'app_0',
        key: 'key_a',
        model: 'o1-pro',
        detectedAt: new Date(newModelAt + MINUTE).toISOString(),
        severity: 'medium',
        evidence: expect.objectContaining({ observed: 2, expected: 0, window: '1m', baselineHours: expect.any(Number) }),
      },
    ]);
  });

  it('prints the resolution once the incident has been quiet, naming what it resolves', async () => {
    const alerts = await replayFile(writeFile('resolved.jsonl', newModelAt, newModelAt + 3 * 60 * MINUTE));
    expect(alerts.map((a) => [a.type, a.resolves ?? null])).toEqual([
      ['unusual_model', null],
      ['resolved', 'unusual_model'],
    ]);
  });

  it('reads a file with lines of every form as it reads them one by one', async () => {
    const file = writeFile('mixed.jsonl', newModelAt, newModelAt + 3 * 60 * MINUTE);
    // Spaces, another field order and CRLF line ends take the general path; the other lines the fast one.
    const lines = readFileSync(file, 'utf8').split('\n');
    const mixed = lines.map((line, i) => (i === 0 || !line ? line : i % 3 === 0 ? JSON.stringify(JSON.parse(line), null, 1).replace(/\n/g, '') : i % 3 === 1 ? `${line}\r` : line));
    writeFileSync(file, mixed.join('\n'));
    const alerts = await replayFile(file);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts).toEqual(await replayFileByReadline(file));
  });

  it('steps the final minute when the input ends', async () => {
    const lastMinute = START + 8 * DAY;
    const alerts = await replayLines([JSON.stringify(APP), minuteLine(START, 'key_a', 'gpt-4o', 1), minuteLine(lastMinute, 'key_a', 'o1-pro', 1)]);
    expect(alerts.map((a) => a.detectedAt)).toEqual([new Date(lastMinute + MINUTE).toISOString()]);
  });

  it('converts numeric business days (0 = Sunday) to weekday names', () => {
    const { settings } = parseAppLine(JSON.stringify({ app: { ...APP.app, businessHours: { days: [0, 6], start: '10:00', end: '14:00' } } }), 'medium');
    expect(settings.businessHours).toEqual({ days: ['sun', 'sat'], start: '10:00', end: '14:00' });
    expect(settings.timezone).toBe('Europe/Berlin');
  });

  it.each([
    ['a first line without an app', [JSON.stringify({ ts: '2026-01-05T00:00:00.000Z' })], /first line must be/],
    ['an unknown time zone', [JSON.stringify({ app: { ...APP.app, timezone: 'Mars/Base' } })], /IANA time zone/],
    ['minutes out of order', [JSON.stringify(APP), minuteLine(START + MINUTE, 'k', null, 1), minuteLine(START, 'k', null, 1)], /line 3: minutes must be in time order/],
    ['a line of another app', [JSON.stringify(APP), JSON.stringify({ ts: new Date(START).toISOString(), app: 'app_9', key: 'k', model: null, count: 1 })], /line 2: app must be/],
    ['a negative count', [JSON.stringify(APP), minuteLine(START, 'k', null, -1)], /count must be a non-negative integer/],
    ['a timestamp inside a minute', [JSON.stringify(APP), JSON.stringify({ ts: '2026-01-05T00:00:30.000Z', app: 'app_0', key: 'k', model: null, count: 1 })], /start of a minute/],
    ['an empty file', [], /empty input/],
  ])('rejects %s with a clear message', async (_name, lines, message) => {
    const failure = replayLines(lines);
    await expect(failure).rejects.toBeInstanceOf(ReplayInputError);
    await expect(failure).rejects.toThrow(message);
  });
});
