import { type CallHandler, type ExecutionContext, type NestInterceptor, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { DatabaseDeadlineError } from '@keywarden/db';
import { type Observable, throwError, timeout } from 'rxjs';

const NO_DEADLINE = Symbol('no request deadline');

/**
 * For a route whose work grows with what it matches (a bulk operation, an offboarding
 * cascade): it runs in chunks, each its own transaction, and answers when all are done,
 * however long that takes. A 503 half-way would invite a retry beside the running work.
 */
export const WithoutRequestDeadline = () => SetMetadata(NO_DEADLINE, true);

/**
 * A request still waiting after `KW_REQUEST_DEADLINE_MS` (30 s, far above any route's
 * normal time) is answered 503, as the database
 * being unreachable: a database that stalls would otherwise hold it until TCP gives up,
 * many minutes later. The handler is not cancelled (see withinDeadline). Routes marked
 * `WithoutRequestDeadline` have none.
 */
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(
    private readonly deadlineMs: number,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean | undefined>(NO_DEADLINE, context.getHandler())) return next.handle();
    return next.handle().pipe(timeout({ first: this.deadlineMs, with: () => throwError(() => new DatabaseDeadlineError(this.deadlineMs)) }));
  }
}
