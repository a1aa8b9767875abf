import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { ErrorCode } from '@keywarden/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from './error-response';
import { methodNotAllowed } from './method-not-allowed';

const logger = new Logger('ErrorFilter');

/**
 * Answers any thrown value with the error envelope: the Nest routes through the filter
 * below, the verify route (outside Nest) through its error handler. Returns the code sent.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): ErrorCode {
  const { status, body, unexpected, retryAfterSeconds } = errorResponse(error, String(request.id));
  if (unexpected) logger.error({ err: error, requestId: request.id }, 'unhandled error');
  else if (status === 503) logger.warn({ reason: (error as Error)?.message, requestId: request.id }, 'service unavailable');
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  void reply.status(status).send(body);
  return body.error.code;
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Nest's not-found handler threw: no route matched this method and path.
    const wrongMethod = request.is404 ? methodNotAllowed(request, reply) : null;
    sendError(wrongMethod ?? error, request, reply);
  }
}
