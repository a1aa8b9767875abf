import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@keywarden/platform';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint. Public, as scrape targets conventionally are: it exposes
 * counters only (no tenant data, no keys); keep it off the public network at the proxy.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
