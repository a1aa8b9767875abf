import { Controller, Get, Inject, Module, Res } from '@nestjs/common';
import { type HealthCheckResult, HealthCheckService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { Public } from './access.decorators';
import { REDIS } from './redis.module';
import { RedisHealthIndicator } from './redis-health.indicator';

interface StatusReply {
  status(code: number): unknown;
}

@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redisIndicator: RedisHealthIndicator,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** The process is up. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** PostgreSQL and Redis both answer; 503 with the failing component otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: StatusReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('postgres', { timeout: 1_000 }),
        () => this.redisIndicator.check('redis', this.redis),
      ]);
    } catch (error) {
      reply.status(503);
      // Terminus answers the same result, with the failing components under `error`.
      return (error as { getResponse(): HealthCheckResult }).getResponse();
    }
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
