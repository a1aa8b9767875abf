/**
 * The Redis call's answer, or an error once `ms` have passed without it: a connection that
 * holds commands while Redis is away (BullMQ's do, until it is back) would keep the caller
 * waiting for the whole outage. The call is not cancelled.
 */
export function withinRedisDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
