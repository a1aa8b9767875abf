import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

/** Closes the shared connection last, after everything that uses it has stopped. */
@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One warning per this interval while Redis stays unreachable. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * A connection with an `error` listener: without one, ioredis reports every failed
 * reconnect as an unhandled error event. Failures are logged at most once per interval,
 * with how many were folded into that line.
 */
export function createRedisClient(redisUrl: string, name = 'redis'): Redis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  watchRedisErrors(redis, name);
  return redis;
}

/** Anything that reports lost connections as `error` events: a Redis client, a BullMQ queue or worker. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A warning per connection failure, at most one per `ERROR_LOG_INTERVAL_MS` (the others
 * counted into the next): a client retrying every few ms during an outage must not flood
 * the log.
 */
export function foldedRedisWarnings(name: string): (error: Error) => void {
  const logger = new Logger(name);
  let lastLogAt = 0;
  let folded = 0;
  return (error: Error) => {
    const now = Date.now();
    if (now - lastLogAt < ERROR_LOG_INTERVAL_MS) {
      folded++;
      return;
    }
    logger.warn(`Redis unreachable: ${error.message}${folded > 0 ? ` (${folded} more errors since the last warning)` : ''}`);
    lastLogAt = now;
    folded = 0;
  };
}

/** Logs an emitter's connection failures as folded warnings (and keeps them from being unhandled). */
export function watchRedisErrors<T extends ErrorEmitter>(emitter: T, name: string): T {
  emitter.on('error', foldedRedisWarnings(name));
  return emitter;
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(redisUrl: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          // Fail commands fast while Redis is away instead of queueing them without bound.
          useFactory: () => createRedisClient(redisUrl),
        },
        RedisCloser,
      ],
      exports: [REDIS],
    };
  }
}
