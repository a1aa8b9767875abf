import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertSchemaUpToDate } from '@keywarden/db';
import { createFastifyAdapter, createLogger, NEST_START_OPTIONS, resolveQueueNamespace } from '@keywarden/platform';
import { Logger } from 'nestjs-pino';
import { loadWorkerConfig } from './config/worker-config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = await resolveQueueNamespace(loadWorkerConfig());
  await assertSchemaUpToDate(config.databaseUrl);
  const logger = createLogger('worker', config.logLevel);
  // An HTTP listener only for /health/live and /health/ready.
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forConfig(config, logger),
    createFastifyAdapter(logger),
    NEST_START_OPTIONS,
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Exit 0 once closed instead of re-raising the signal: a clean stop, not a kill.
  app.enableShutdownHooks([], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref());
  }
  await app.listen(config.port, config.host);
}

main().catch((error: Error) => {
  process.stderr.write(`keywarden worker failed to start: ${error.message}\n`);
  process.exit(1);
});
