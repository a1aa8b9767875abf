// A paced, open-loop load generator for latency at a fixed request rate (the verify
// bench's half-load figure). autocannon stays for the saturated runs; why it is not used
// here is in bench/README.md ("Half load: the paced generator").
//
// - The schedule is fixed before the first request: request i is due at start + i / rate,
//   evenly spread in time, whatever the server does. A worker thread keeps the time
//   (lib/pace-clock.mjs: sub-millisecond sleeps, where Node's timers have whole ms) and
//   wakes the generator at the due times; each wake sends every request due by then.
// - Requests go out over `connections` keep-alive connections (an undici Pool, no
//   pipelining). A request due while every connection is busy waits in the pool's queue.
// - Latency is measured from the request's due time, not from when it was written (the
//   wrk2 rule): a server that stalls, or a generator that falls behind, cannot hide the
//   queueing it causes. The generator's own lateness (written minus due) is reported
//   apart, so a late generator is visible instead of being charged silently to the server.
// - Latencies go into an HDR histogram (µs, 3 significant digits); every response is
//   checked like the saturated runs' (200 and a body the `check` accepts).
import { Worker } from 'node:worker_threads';
import { build as buildHistogram } from 'hdr-histogram-js';
import { Pool } from 'undici';

const HISTOGRAM_MAX_MICROS = 60 * 1_000_000;
/** Longest a request may take (headers or body) before it counts as an error. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Shortest time between two wakes of the generator (each wake sends what is due). */
const MIN_TICK_MS = 0.2;
const PACE_CLOCK = new URL('./pace-clock.mjs', import.meta.url);

const newHistogram = () =>
  buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_MICROS, numberOfSignificantValueDigits: 3 });

const micros = (ms) => Math.min(HISTOGRAM_MAX_MICROS, Math.max(1, Math.round(ms * 1000)));

/** Percentiles of a histogram of µs, in ms. */
function percentilesMs(histogram) {
  const at = (p) => histogram.getValueAtPercentile(p) / 1000;
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: histogram.maxValue / 1000, mean: histogram.mean / 1000 };
}

/**
 * Sends POST `request` to `url` at `rate` requests per second for `warmup` + `duration`
 * seconds (one unbroken schedule; the warm-up's requests are checked but not recorded).
 * `check(body)` says whether a 200's body is a correct answer. Answers the measured
 * window's latency percentiles (ms), the achieved rate, the generator's lateness and the
 * problems seen (any problem makes the figures invalid; the caller fails on them).
 */
export async function pacedLoad({ url, request, rate, connections, duration, warmup = 0, check, onMeasureStart }) {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: 60_000,
  });
  const options = { path: `${pathname}${search}`, method: 'POST', headers: request.headers, body: Buffer.from(request.body) };
  const intervalMs = 1000 / rate;
  const warmupCount = Math.round(warmup * rate);
  const total = warmupCount + Math.round(duration * rate);

  const latency = newHistogram();
  const lateness = newHistogram();
  const outcome = { responses: 0, non2xx: 0, errors: 0, mismatches: 0, statusCodes: {}, firstBadBody: null, firstError: null };
  // Milliseconds since the schedule's start (negative before it), on the clock the pace
  // clock thread reads too.
  let startNs = process.hrtime.bigint();
  const now = () => Number(process.hrtime.bigint() - startNs) / 1e6;
  let lastResponseAt = 0;
  let inFlight = 0;
  let scheduled = 0;
  let allAnswered;
  const answered = new Promise((resolve) => {
    allAnswered = resolve;
  });
  const settle = () => {
    inFlight -= 1;
    if (inFlight === 0 && scheduled === total) allAnswered();
  };

  const send = async (index, dueAt) => {
    const measured = index >= warmupCount;
    if (measured) lateness.recordValue(micros(now() - dueAt));
    try {
      const { statusCode, body } = await pool.request(options);
      const text = await body.text();
      const doneAt = now();
      outcome.statusCodes[statusCode] = (outcome.statusCodes[statusCode] ?? 0) + 1;
      if (statusCode !== 200) {
        outcome.non2xx += 1;
        outcome.firstBadBody ??= `${statusCode} ${text.slice(0, 300)}`;
      } else if (!check(text)) {
        outcome.mismatches += 1;
        outcome.firstBadBody ??= text.slice(0, 300);
      }
      if (measured) {
        outcome.responses += 1;
        lastResponseAt = doneAt;
        latency.recordValue(micros(doneAt - dueAt));
      }
    } catch (error) {
      outcome.errors += 1;
      outcome.firstError ??= String(error?.message ?? error);
    } finally {
      settle();
    }
  };

  // Open the connections before the clock starts, so the first requests do not pay a
  // connect. Their answers are checked like every other.
  inFlight += connections;
  await Promise.all(Array.from({ length: connections }, () => send(-1, now())));

  // A tick every whole number of intervals, at least MIN_TICK_MS apart: each tick lands on
  // a due time and sends that request and any due since the previous tick.
  const tickMs = intervalMs * Math.max(1, Math.ceil(MIN_TICK_MS / intervalMs));
  const measureStartAt = warmupCount * intervalMs;
  let clientCpuBefore = null;
  startNs = process.hrtime.bigint() + 5_000_000n;
  const clock = new Worker(PACE_CLOCK, { workerData: { startNs, periodMs: tickMs, ticks: Math.ceil((total * intervalMs) / tickMs) + 1 } });
  try {
    await new Promise((resolve, reject) => {
      clock.on('error', reject);
      clock.on('exit', () => reject(new Error('the pace clock stopped before the schedule was done')));
      clock.on('message', () => {
        const at = now();
        if (clientCpuBefore === null && at >= measureStartAt) {
          clientCpuBefore = process.cpuUsage();
          onMeasureStart?.();
        }
        while (scheduled < total && scheduled * intervalMs <= at) {
          inFlight += 1;
          void send(scheduled, scheduled * intervalMs);
          scheduled += 1;
        }
        if (scheduled === total) resolve();
      });
    });
  } finally {
    clock.removeAllListeners('exit');
    await clock.terminate();
  }
  if (inFlight === 0) allAnswered();
  await answered;
  const measuredSec = Math.max(lastResponseAt - measureStartAt, 1) / 1000;
  const clientCpu = process.cpuUsage(clientCpuBefore ?? undefined);
  await pool.close();

  const problems = [];
  if (outcome.responses === 0) problems.push('no responses at all');
  if (outcome.non2xx > 0) problems.push(`${outcome.non2xx} non-2xx responses`);
  if (outcome.errors > 0) problems.push(`${outcome.errors} errors (first: ${outcome.firstError})`);
  if (outcome.mismatches > 0) problems.push(`${outcome.mismatches} responses the check refused`);
  const otherStatuses = Object.keys(outcome.statusCodes).filter((code) => code !== '200');
  if (otherStatuses.length > 0) problems.push(`status codes other than 200: ${otherStatuses.map((c) => `${c}×${outcome.statusCodes[c]}`).join(', ')}`);

  return {
    targetRate: rate,
    achievedRate: outcome.responses / measuredSec,
    requests: outcome.responses,
    durationSec: measuredSec,
    connections,
    latencyMs: percentilesMs(latency),
    generatorLatenessMs: percentilesMs(lateness),
    clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
    clientCpuPercent: (100 * (clientCpu.user + clientCpu.system)) / 1e6 / measuredSec,
    statusCodes: outcome.statusCodes,
    problems,
    firstBadBody: outcome.firstBadBody,
  };
}
