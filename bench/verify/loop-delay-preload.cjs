// Preloaded (node --require) into both servers of the verify bench. During a half-load
// run the parent asks, over the IPC channel, how long the server's event loop was held up
// (perf_hooks.monitorEventLoopDelay at 1 ms resolution) and how much of that was garbage
// collection (a PerformanceObserver on 'gc' entries), so a latency tail can be told apart:
// the server's own stalls, GC, or neither (the load, the machine).
//   parent → { type: 'loop-delay-start' }  child → { type: 'loop-delay-started' }
//   parent → { type: 'loop-delay-stop' }   child → { type: 'loop-delay', delayMs: {...}, gc: {...} }
// Until asked, it does nothing.
'use strict';
const { monitorEventLoopDelay, PerformanceObserver, constants } = require('node:perf_hooks');

const GC_KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

if (typeof process.send === 'function') {
  let delay = null;
  let observer = null;
  let gc = null;
  process.on('message', (message) => {
    if (message?.type === 'loop-delay-start') {
      delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      gc = {};
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = GC_KINDS[entry.detail?.kind] ?? 'other';
          const k = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0, over1Ms: 0 });
          k.count += 1;
          k.totalMs += entry.duration;
          k.maxMs = Math.max(k.maxMs, entry.duration);
          if (entry.duration > 1) k.over1Ms += 1;
        }
      });
      observer.observe({ entryTypes: ['gc'] });
      process.send({ type: 'loop-delay-started' });
    } else if (message?.type === 'loop-delay-stop' && delay) {
      delay.disable();
      observer.disconnect();
      // Each value is the time between two ticks meant to be 1 ms apart (ns): what it
      // has beyond ~1 ms is how long the loop was held (timers fire on whole ms, so
      // values up to ~2 ms are the timer's own granularity).
      const ms = (ns) => ns / 1e6;
      process.send({
        type: 'loop-delay',
        delayMs: {
          p50: ms(delay.percentile(50)),
          p99: ms(delay.percentile(99)),
          p999: ms(delay.percentile(99.9)),
          max: ms(delay.max),
          mean: ms(delay.mean),
          samples: delay.count,
        },
        gc,
      });
      delay = null;
    }
  });
  // The channel must not keep the server alive on its own.
  process.channel?.unref();
}
