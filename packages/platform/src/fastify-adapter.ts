import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';

/**
 * Fastify adapter sharing the process's pino logger. Fastify's own two lines per
 * request are off; apps log one completion line where they want it.
 */
export function createFastifyAdapter(logger: Logger, options: FastifyServerOptions = {}): FastifyAdapter {
  return new FastifyAdapter({
    ...options,
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
}
