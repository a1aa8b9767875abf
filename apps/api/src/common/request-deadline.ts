import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { DatabaseDeadlineError } from '@keywarden/db';
import { type Observable, throwError, timeout } from 'rxjs';

/**
 * A request still waiting after `KW_REQUEST_DEADLINE_MS` (30 s, far above any route's
 * normal time, bulk operations of 10,000 keys included) is answered 503, as the database
 * being unreachable: a database that stalls would otherwise hold it until TCP gives up,
 * many minutes later. The handler is not cancelled (see withinDeadline).
 */
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(private readonly deadlineMs: number) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(timeout({ first: this.deadlineMs, with: () => throwError(() => new DatabaseDeadlineError(this.deadlineMs)) }));
  }
}
