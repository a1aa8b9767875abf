import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { ErrorCode } from '@keywarden/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorResponse, errorResponse } from './error-response';
import { methodNotAllowed } from './method-not-allowed';

const logger = new Logger('ErrorFilter');

/** The error envelope of any thrown value, logged when it is unexpected or an outage. */
export function describeError(error: unknown, requestId: string): ErrorResponse {
  const response = errorResponse(error, requestId);
  if (response.unexpected) logger.error({ err: error, requestId }, 'unhandled error');
  else if (response.status === 503) logger.warn({ reason: (error as Error)?.message, requestId }, 'service unavailable');
  return response;
}

/**
 * Answers any thrown value with the error envelope: the Nest routes through the filter
 * below, the verify route (outside Nest) through its error handler. Returns the code sent.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): ErrorCode {
  const { status, body, retryAfterSeconds } = describeError(error, String(request.id));
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
