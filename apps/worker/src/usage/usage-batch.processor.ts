import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { decodeUsageBatch, MalformedUsageBatchError, QUEUES, type UsageBatchJob, type UsageBatchJobData } from '@keywarden/core';
import { type Job, UnrecoverableError, type WorkerOptions } from 'bullmq';
import { GracefulWorkerHost } from '../common/graceful-worker-host';
import type { UsageConfig } from '../config/worker-config';
import { type ApplyResult, UsageRollupService } from './usage-rollup.service';

/** The failedReason of a dead-lettered foreign batch. */
export const FOREIGN_BATCH_REASON = "refused: the batch names workspaces or keys that are not in this deployment's database";

/**
 * Consumes the API's usage batches (job name JOBS.usageBatch, jobId = batchId). Thin: the
 * service does the work in one transaction, and processed_batches makes a redelivery
 * (stalled job, retry, double enqueue) a no-op, so at-least-once delivery becomes
 * exactly-once application.
 */
@Processor(QUEUES.usage)
export class UsageBatchProcessor extends GracefulWorkerHost {
  private readonly logger = new Logger(UsageBatchProcessor.name);

  constructor(private readonly rollups: UsageRollupService) {
    super();
  }

  /** Worker options come from the validated config, so they are set at module build time. */
  static configure(config: UsageConfig): void {
    const options: Partial<WorkerOptions> = {
      concurrency: config.concurrency,
      lockDuration: config.lockMs,
      stalledInterval: config.lockMs,
    };
    Processor(QUEUES.usage, options)(UsageBatchProcessor);
  }

  /**
   * A refused batch (another deployment's) fails without retries: BullMQ keeps it in the
   * queue's failed set (the dead letters) for the age its producer set. So does a batch
   * this worker cannot read. The data is the API's compact form or, from producers before
   * it, the plain one.
   */
  async process(job: Job<UsageBatchJobData>): Promise<ApplyResult> {
    const result = await this.rollups.apply(readBatch(job.data));
    if (result.refused) throw new UnrecoverableError(FOREIGN_BATCH_REASON);
    return result;
  }

  /**
   * Every failed attempt is logged (its events hold no key material): a warning while
   * retries are left, an error once the batch is dead-lettered and its events will not be
   * counted. Without it a batch could fail all its attempts with nothing in the logs.
   */
  @OnWorkerEvent('failed')
  onFailed(job: Job<UsageBatchJobData> | undefined, error: Error): void {
    const attempts = job?.opts.attempts ?? 1;
    const made = job?.attemptsMade ?? attempts;
    if (error instanceof UnrecoverableError || made >= attempts) {
      this.logger.error(`usage batch ${job?.id ?? '?'} failed for good after ${made} attempt(s), its events not counted: ${error.message}`);
    } else {
      this.logger.warn(`usage batch ${job?.id ?? '?'} failed (attempt ${made} of ${attempts}), retrying: ${error.message}`);
    }
  }
}

function readBatch(data: UsageBatchJobData): UsageBatchJob {
  try {
    return decodeUsageBatch(data);
  } catch (error) {
    if (error instanceof MalformedUsageBatchError) throw new UnrecoverableError(error.message);
    throw error;
  }
}
