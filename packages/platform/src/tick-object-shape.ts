import { createHook } from 'node:async_hooks';

/** The tick object held (see below); a later call holds a newer one. */
const held: { tickObject: object | null } = { tickObject: null };

/**
 * Keeps one of the objects `process.nextTick` queues alive for the life of the process, so
 * that V8 keeps building them inline.
 *
 * Why: Node (20) builds every tick object with a literal whose first keys are symbols
 * (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`). V8 caches how
 * that literal adds each key, one inline cache per key holding the hidden class it saw, weakly;
 * for this kind of cache a second hidden class means megamorphic for good (it has no
 * polymorphic state). When the process is idle no tick object is alive, and a full GC collects
 * the literal's intermediate hidden classes; the next tick creates new ones, three of the four
 * caches turn megamorphic, and from then on every tick object (several per HTTP request) is
 * built through V8's runtime: about 5 % of the API's CPU under load in the processes it happened
 * to (bench/README.md). Holding one tick object holds its hidden class and, through its back
 * pointers, the ones before it.
 *
 * Call it first thing, so that no idle moment comes before it, and again once the process has
 * started: a field that sees a new kind of value during start-up (a number stored as a double,
 * say) gives the tick objects new hidden classes, and each call holds the current one.
 */
export function holdTickObjectShape(): void {
  // The hook is on only for this one synchronous nextTick call.
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') held.tickObject = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(ignore);
  } finally {
    hook.disable();
  }
}

function ignore(): void {}
