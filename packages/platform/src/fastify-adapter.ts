import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { RequestLogger } from './request-logger';

/**
 * Fastify adapter sharing the process's pino logger. Fastify's own two lines per
 * request are off; apps log one completion line where they want it.
 */
export function createFastifyAdapter(logger: Logger, options: FastifyServerOptions = {}): FastifyAdapter {
  return new FastifyAdapter({
    ...options,
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    // No Nest middleware is used: without middie no request passes through its (empty)
    // middleware chain. A middleware added later fails at start, not silently.
    skipMiddie: true,
    // A request's child logger is built when the request logs, not for every request.
    childLoggerFactory: (parent: FastifyBaseLogger, bindings: Bindings, childOptions: ChildLoggerOptions) => new RequestLogger(parent as Logger, bindings, childOptions) as unknown as Logger,
  });
}
