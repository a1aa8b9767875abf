/** A value now, or a promise of it when it had to be fetched. */
export type MaybePromise<T> = T | Promise<T>;

/** A sequence of steps for `maybeAsync`: each `yield* step(x)` waits for x only if x is a promise. */
export type Steps<T> = Generator<unknown, T, unknown>;

/** One step of `Steps`: `const value = yield* step(valueOrPromise)`, typed (a bare `yield` is not). */
export function* step<T>(value: MaybePromise<T>): Generator<MaybePromise<T>, T, unknown> {
  return (yield value) as T;
}

/**
 * Runs `steps` synchronously for as long as what they wait for is already there (a cached
 * key, a reserved budget), and goes on asynchronously from the first promise. On the
 * verify path the steps answer from memory almost always, and an `async` function costs a
 * promise and microtask turns per call even then: with a chain of them, a measurable share
 * of a verify (bench/README.md). A promise that rejects is thrown where its step waits.
 */
export function maybeAsync<T>(steps: Steps<T>): MaybePromise<T> {
  let next = steps.next();
  while (!next.done) {
    if (next.value instanceof Promise) return finishAsync(steps, next.value);
    next = steps.next(next.value);
  }
  return next.value;
}

async function finishAsync<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  for (;;) {
    let next: IteratorResult<unknown, T>;
    try {
      const value = await pending;
      next = steps.next(value);
    } catch (error) {
      // Either the awaited step rejected (the steps may catch it) or the steps threw (then
      // `throw` on the finished generator throws the same error back).
      next = steps.throw(error);
    }
    if (next.done) return next.value;
    pending = Promise.resolve(next.value);
  }
}
