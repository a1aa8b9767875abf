import { CreateCustomerDto } from '../customers/dto/create-customer.dto';
import { CreatePortalSessionDto } from '../portal/dto/create-portal-session.dto';
import { ApiError } from './api-error';
import { createValidationPipe } from './validation.pipe';

async function refusalOf(body: unknown, metatype: new () => object = CreateCustomerDto): Promise<ApiError> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype });
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('createValidationPipe', () => {
  it('names a field once per message when two of its rules fail alike', async () => {
    const refusal = await refusalOf({ externalId: 'acct-1', policy: { concurrency: 0.5 } });
    expect(refusal.code).toBe('VALIDATION_FAILED');
    expect(refusal.details).toEqual([{ field: 'policy.concurrency', message: 'must be a positive integer' }]);
    expect(refusal.message).toBe('Validation failed: policy.concurrency must be a positive integer');
  });

  it('keeps every distinct message of a field', async () => {
    const refusal = await refusalOf({ externalId: 'acct-1', policy: { rateLimits: { perMinute: 'five' } } });
    expect(refusal.details).toEqual([
      { field: 'policy.rateLimits.perMinute', message: 'must be a positive integer' },
      { field: 'policy.rateLimits.perMinute', message: expect.stringMatching(/^must not be greater than /) },
    ]);
  });

  it('names a list once in the message about its values', async () => {
    const refusal = await refusalOf({ customerId: 'cus_01m95s27krsnbr563kcq9m93gh', permissions: ['keys.read', 'keys.steal'] }, CreatePortalSessionDto);
    expect(refusal.details).toEqual([{ field: 'permissions', message: expect.stringMatching(/^each value must be one of: keys\.read, /) }]);
  });

  it('names a list once in the message about repeated elements', async () => {
    const refusal = await refusalOf({ customerId: 'cus_01m95s27krsnbr563kcq9m93gh', permissions: ['keys.read', 'keys.read'] }, CreatePortalSessionDto);
    expect(refusal.details).toEqual([{ field: 'permissions', message: 'all elements must be unique' }]);
  });
});
