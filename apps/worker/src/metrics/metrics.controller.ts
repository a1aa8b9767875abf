import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Logger, Res } from '@nestjs/common';
import { QUEUES } from '@keywarden/core';
import { Public, withinRedisDeadline } from '@keywarden/platform';
import type { Queue } from 'bullmq';
import { MetricsService } from './metrics.service';

interface HeaderReply {
  header(name: string, value: string): unknown;
}

/**
 * The queue's connection holds commands while Redis is away (until it is back): a scrape
 * waits this long for the depth at most, then answers without it.
 */
const QUEUE_DEPTH_TIMEOUT_MS = 1_000;

/** Prometheus scrape endpoint on the worker's HTTP listener. */
@Controller('metrics')
@Public()
export class MetricsController {
  private readonly logger = new Logger(MetricsController.name);

  constructor(
    private readonly metrics: MetricsService,
    @InjectQueue(QUEUES.usage) private readonly usageQueue: Queue,
  ) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: HeaderReply): Promise<string> {
    try {
      const counts = await withinRedisDeadline(this.usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), QUEUE_DEPTH_TIMEOUT_MS);
      this.metrics.queueDepth.set({ state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
      this.metrics.queueDepth.set({ state: 'active' }, counts.active ?? 0);
      this.metrics.queueDepth.set({ state: 'delayed' }, counts.delayed ?? 0);
    } catch (error) {
      // Redis away: the rest of the metrics are still worth serving.
      this.logger.warn(`usage queue depth unavailable: ${(error as Error).message}`);
    }
    const { contentType, body } = await this.metrics.scrape();
    reply.header('Content-Type', contentType);
    return body;
  }
}
