/**
 * A query the database did not answer in time: counted as the database being unreachable
 * (its `code` is the one a timed-out connection has), so callers answer 503, not 500.
 */
export class DatabaseDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
  }
}

/**
 * The work, or a DatabaseDeadlineError once `ms` have passed without its answer: a
 * database that stalls (connections open, nothing coming back) would otherwise hold the
 * caller until TCP gives up, many minutes later. The work is not cancelled: a change the
 * database applies later stands, as after any timeout.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseDeadlineError(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
