import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Logger, Res } from '@nestjs/common';
import { QUEUES } from '@keywarden/core';
import { Public } from '@keywarden/platform';
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

async function withinQueueDepthTimeout<T>(read: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${QUEUE_DEPTH_TIMEOUT_MS} ms`)), QUEUE_DEPTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
      const counts = await withinQueueDepthTimeout(this.usageQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'));
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
