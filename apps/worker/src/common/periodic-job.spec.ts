import type { Logger } from '@nestjs/common';
import { PeriodicJob } from './periodic-job';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function recordingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  return { logger: { error: (message: string) => errors.push(message) } as unknown as Logger, errors };
}

describe('PeriodicJob', () => {
  it('never starts a run while one is in progress', async () => {
    const gate = deferred();
    let runs = 0;
    const job = new PeriodicJob('test', 60_000, recordingLogger().logger, async () => {
      runs++;
      await gate.promise;
    });

    const first = job.start();
    const second = job.run();
    gate.resolve();
    await Promise.all([first, second]);

    expect(runs).toBe(1);
    await job.stop();
  });

  it('logs a failed run under its label and runs again on the next call', async () => {
    const { logger, errors } = recordingLogger();
    let runs = 0;
    const job = new PeriodicJob('nightly sweep', 60_000, logger, async () => {
      runs++;
      if (runs === 1) throw new Error('database gone');
    });

    await job.start();
    await job.run();

    expect(errors).toEqual(['nightly sweep failed: database gone']);
    expect(runs).toBe(2);
    await job.stop();
  });

  it('waits on stop for the run in flight, and runs no more after it', async () => {
    const gate = deferred();
    let finished = false;
    let runs = 0;
    const job = new PeriodicJob('test', 60_000, recordingLogger().logger, async () => {
      runs++;
      await gate.promise;
      finished = true;
    });

    void job.start();
    const stopped = job.stop();
    gate.resolve();
    await stopped;
    await job.run();

    expect(finished).toBe(true);
    expect(runs).toBe(1);
  });
});
