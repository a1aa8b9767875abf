import type { Logger } from '@nestjs/common';

/**
 * Runs a job at start and then every `intervalMs` (a timer that does not keep the process
 * alive), never two runs at once: a tick that finds a run in progress waits for that one.
 * A failed run is logged as `{label} failed: …` and the next tick tries again. `stop()`
 * ends the ticks and waits for the run in flight, so shutdown never cuts one short.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly label: string,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly job: () => Promise<void>,
  ) {}

  /** Schedules the ticks; resolves when the first run is over. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.run(), this.intervalMs);
    this.timer.unref();
    return this.run();
  }

  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.job()
      .catch((error: Error) => this.logger.error(`${this.label} failed: ${error.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
