import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
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
          useFactory: () => new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
        },
        RedisCloser,
      ],
      exports: [REDIS],
    };
  }
}
