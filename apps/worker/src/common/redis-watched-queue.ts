import { watchRedisErrors } from '@keywarden/platform';
import { Queue, type QueueOptions } from 'bullmq';

/**
 * A BullMQ queue whose lost connections are folded warnings from its construction on.
 * A listener added by the queue's consumer comes too late: Nest creates the queue, then
 * awaits other providers (the database connection) before constructing the consumer, and
 * BullMQ prints an error no one listens to as a stack on stderr.
 */
export class RedisWatchedQueue extends Queue {
  constructor(name: string, options: QueueOptions) {
    super(name, options);
    watchRedisErrors(this, `${name} queue`);
  }
}
