import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DatabaseDeadlineError } from '@keywarden/db';
import { firstValueFrom, NEVER, type Observable } from 'rxjs';
import { RequestDeadlineInterceptor, WithoutRequestDeadline } from './request-deadline';

class Routes {
  ordinary(): void {}

  @WithoutRequestDeadline()
  bulk(): void {}
}

function contextOf(handler: () => void): ExecutionContext {
  return { getHandler: () => handler } as unknown as ExecutionContext;
}

const hanging: CallHandler = { handle: (): Observable<unknown> => NEVER };

describe('RequestDeadlineInterceptor', () => {
  const interceptor = new RequestDeadlineInterceptor(20, new Reflector());

  it('fails a handler that has not answered by the deadline as the database being unreachable', async () => {
    await expect(firstValueFrom(interceptor.intercept(contextOf(Routes.prototype.ordinary), hanging))).rejects.toBeInstanceOf(DatabaseDeadlineError);
  });

  it('leaves a route marked WithoutRequestDeadline to the handler alone', () => {
    const handled = hanging.handle();
    expect(interceptor.intercept(contextOf(Routes.prototype.bulk), { handle: () => handled })).toBe(handled);
  });
});
