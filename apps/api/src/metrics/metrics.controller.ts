import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@keywarden/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { MetricsService } from './metrics.service';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Prometheus scrape endpoint. It exposes counters only (no tenant data, no keys). With
 * KW_METRICS_TOKEN set, a scraper presents it as `Authorization: Bearer <token>` (Prometheus'
 * `authorization` setting); without it the endpoint is open, as scrape targets often are,
 * and belongs off the public network at the proxy.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  /** Compared as digests: equal lengths, and no timing that tells how much of it matched. */
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.tokenDigest = config.metricsToken ? digest(config.metricsToken) : null;
  }

  @Get()
  @Public()
  @ApiOperation({
    description:
      'Prometheus text exposition (counters only). When the server has a scrape token (`KW_METRICS_TOKEN`), send it as `Authorization: Bearer <token>`: without it, or with another, the answer is 401 UNAUTHORIZED. With no token configured the endpoint is open.',
  })
  scrape(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.tokenDigest !== null) {
      const presented = /^bearer[ \t]+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() ?? '';
      if (!timingSafeEqual(digest(presented), this.tokenDigest)) {
        throw new ApiError('UNAUTHORIZED', 'Metrics need the scrape token: Authorization: Bearer <KW_METRICS_TOKEN>');
      }
    }
    // Set here, not by decorators: a refusal above is the JSON error envelope.
    void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store');
    return this.metrics.registry.metrics();
  }
}
