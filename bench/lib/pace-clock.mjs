// The paced load generator's clock, run as a worker thread (lib/paced-load.mjs starts it).
// Node's timers fire on whole milliseconds, so a generator paced by setTimeout sends up to
// ~1 ms late: that lateness would land in every latency it measures (they count from each
// request's due time). This thread sleeps in Atomics.wait, which takes fractional
// milliseconds, and posts a tick to the generator at each tick time; a posted message
// wakes the generator's event loop at once. The generator ends it with terminate().
//
// workerData: { startNs (process.hrtime.bigint() of tick 0), periodMs, ticks }
import { parentPort, workerData } from 'node:worker_threads';

const { startNs, periodMs, ticks } = workerData;
const nowMs = () => Number(process.hrtime.bigint() - startNs) / 1e6;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

for (let tick = 0; tick < ticks; tick++) {
  const wait = tick * periodMs - nowMs();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
  parentPort.postMessage(tick);
}
