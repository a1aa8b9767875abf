import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from './error-response';

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, unexpected, retryAfterSeconds } = errorResponse(error, String(request.id));
    if (unexpected) this.logger.error({ err: error, requestId: request.id }, 'unhandled error');
    else if (status === 503) this.logger.warn({ reason: (error as Error)?.message, requestId: request.id }, 'service unavailable');
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    void reply.status(status).send(body);
  }
}
