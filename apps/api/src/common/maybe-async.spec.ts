import { maybeAsync, type Steps, step } from './maybe-async';

function* sum(a: number | Promise<number>, b: number | Promise<number>): Steps<number> {
  const first = yield* step(a);
  const second = yield* step(b);
  return first + second;
}

test('steps that wait for values already there answer without a promise', () => {
  expect(maybeAsync(sum(1, 2))).toBe(3);
});

test('goes on asynchronously from the first step that waits for a promise', async () => {
  const answer = maybeAsync(sum(1, Promise.resolve(2)));
  expect(answer).toBeInstanceOf(Promise);
  await expect(answer).resolves.toBe(3);
  await expect(maybeAsync(sum(Promise.resolve(1), 2))).resolves.toBe(3);
});

test('a step whose promise rejects throws where it waits, so the steps can catch it', async () => {
  function* recovering(): Steps<string> {
    try {
      yield* step(Promise.reject(new Error('redis down')));
      return 'not reached';
    } catch (error) {
      return `recovered: ${(error as Error).message}`;
    }
  }
  await expect(maybeAsync(recovering())).resolves.toBe('recovered: redis down');
});

test('steps that throw throw synchronously before any promise, and reject after one', async () => {
  function* failing(wait: boolean): Steps<number> {
    if (wait) yield* step(Promise.resolve(0));
    throw new Error('refused');
  }
  expect(() => maybeAsync(failing(false))).toThrow('refused');
  await expect(maybeAsync(failing(true))).rejects.toThrow('refused');
});
