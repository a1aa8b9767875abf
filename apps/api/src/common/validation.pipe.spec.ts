import { CreateCustomerDto } from '../customers/dto/create-customer.dto';
import { CreateKeyDto } from '../keys/dto/create-key.dto';
import { RotateKeyDto } from '../keys/dto/rotate-key.dto';
import { CreatePortalSessionDto } from '../portal/dto/create-portal-session.dto';
import { ReportUsageDto } from '../usage/dto/report-usage.dto';
import { CreateWebhookDto } from '../webhooks/dto/create-webhook.dto';
import { ApiError } from './api-error';
import { KeysPageQueryDto } from './page-query.dto';
import { createValidationPipe } from './validation.pipe';

async function refusalOf(body: unknown, metatype: new () => object = CreateCustomerDto, type: 'body' | 'query' = 'body'): Promise<ApiError> {
  try {
    await createValidationPipe().transform(body, { type, metatype });
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

const APP_ID = 'app_01m95s27krsnbr563kcq9m93gh';
const KEY = { appId: APP_ID, name: 'acme', environment: 'live', scopes: ['generation.create'] };
const USAGE_ITEM = { keyId: 'key_01m95s27krsnbr563kcq9m93gh', model: 'gpt', units: 1, cost: 0.5, timestamp: '2026-12-07T10:00:00Z', requestId: 'req-1' };

describe('createValidationPipe', () => {
  it('names a field once per message when two of its rules fail alike', async () => {
    const refusal = await refusalOf({ externalId: 'acct-1', policy: { concurrency: 0.5 } });
    expect(refusal.code).toBe('VALIDATION_FAILED');
    expect(refusal.details).toEqual([{ field: 'policy.concurrency', message: 'must be a positive integer' }]);
    expect(refusal.message).toBe('Validation failed: policy.concurrency must be a positive integer');
  });

  it('keeps every distinct message of a field whose value is of the right type', async () => {
    const refusal = await refusalOf({ customerId: 'cus_01m95s27krsnbr563kcq9m93gh', permissions: ['keys.read', 'keys.read', 'keys.steal'] }, CreatePortalSessionDto);
    expect(refusal.details).toEqual([
      { field: 'permissions', message: expect.stringMatching(/^each value must be one of: keys\.read, /) },
      { field: 'permissions', message: 'all elements must be unique' },
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

  describe('a missing value: only that it is required', () => {
    it('a required list, whose size, element and nesting rules all fail too', async () => {
      const refusal = await refusalOf({}, ReportUsageDto);
      expect(refusal.details).toEqual([{ field: 'events', message: 'is required' }]);
      expect(refusal.message).toBe('Validation failed: events is required');
    });

    it('every required field of a body, each once, whatever its rules', async () => {
      const refusal = await refusalOf({}, CreateKeyDto);
      expect(refusal.details).toEqual(['appId', 'name', 'environment', 'scopes'].map((field) => ({ field, message: 'is required' })));
      expect((await refusalOf({}, CreateWebhookDto)).details).toEqual([
        { field: 'appId', message: 'is required' },
        { field: 'url', message: 'is required' },
      ]);
    });

    it('a required field of a list element', async () => {
      const { requestId: _left, ...item } = USAGE_ITEM;
      const refusal = await refusalOf({ events: [item] }, ReportUsageDto);
      expect(refusal.details).toEqual([{ field: 'events.0.requestId', message: 'is required' }]);
    });
  });

  describe('a value of the wrong type: only the type error', () => {
    it.each([
      ['a string for a list of scopes', { ...KEY, scopes: 'x' }, CreateKeyDto, 'scopes', 'must be an array'],
      ['null for a list of scopes (present, not missing)', { ...KEY, scopes: null }, CreateKeyDto, 'scopes', 'must be an array'],
      ['a number for a name', { ...KEY, name: 5 }, CreateKeyDto, 'name', 'must be a string'],
      ['a string for a boolean', { ...KEY, canary: 'yes' }, CreateKeyDto, 'canary', 'must be a boolean value'],
      ['a string for a list of objects', { events: 'x' }, ReportUsageDto, 'events', 'must be an array'],
      ['a string for a list of event types', { appId: APP_ID, url: 'https://hooks.example.com', eventTypes: 'key.created' }, CreateWebhookDto, 'eventTypes', 'must be an array'],
      ['a string for an integer', { gracePeriodSeconds: '10' }, RotateKeyDto, 'gracePeriodSeconds', 'must be an integer number'],
      ['a fraction for an integer', { gracePeriodSeconds: 1.5 }, RotateKeyDto, 'gracePeriodSeconds', 'must be an integer number'],
      ['a string for an object', { externalId: 'acct-1', policy: 'x' }, CreateCustomerDto, 'policy', 'must be an object'],
      ['a list for a nested object', { externalId: 'acct-1', policy: { rateLimits: [] } }, CreateCustomerDto, 'policy.rateLimits', 'must be an object'],
      ['a string for a nested integer', { externalId: 'acct-1', policy: { rateLimits: { perMinute: 'x' } } }, CreateCustomerDto, 'policy.rateLimits.perMinute', 'must be a positive integer'],
      ['a word for a page size (query)', { limit: 'abc' }, KeysPageQueryDto, 'limit', 'must be an integer number'],
    ])('%s', async (_case, body, metatype, field, message) => {
      const refusal = await refusalOf(body, metatype, metatype === KeysPageQueryDto ? 'query' : 'body');
      expect(refusal.details).toEqual([{ field, message }]);
      expect(refusal.message).toBe(`Validation failed: ${field} ${message}`);
    });

    it('list elements that are no objects are named once, by the list; the other elements are checked', async () => {
      const refusal = await refusalOf({ events: [5, { ...USAGE_ITEM, keyId: 7, units: '3' }, null] }, ReportUsageDto);
      expect(refusal.details).toEqual([
        { field: 'events', message: 'each value must be an object' },
        { field: 'events.1.keyId', message: 'must be a string' },
        { field: 'events.1.units', message: 'must be an integer number' },
      ]);
    });

    it('several fields, each with its own type error once', async () => {
      const refusal = await refusalOf({ ...KEY, name: ['x'], scopes: 'x', policy: { rateLimits: { perMinute: 'x', perHour: 0.5 }, ipAllowlist: '10.0.0.0/8' } }, CreateKeyDto);
      expect(refusal.details).toEqual([
        { field: 'name', message: 'must be a string' },
        { field: 'scopes', message: 'must be an array' },
        { field: 'policy.rateLimits.perMinute', message: 'must be a positive integer' },
        { field: 'policy.rateLimits.perHour', message: 'must be a positive integer' },
        { field: 'policy.ipAllowlist', message: 'must be an array' },
      ]);
    });
  });

  describe('a value of the right type: the rules it breaks', () => {
    it.each([
      ['an empty list of scopes', { ...KEY, scopes: [] }, CreateKeyDto, 'scopes', 'must contain at least 1 elements'],
      ['an empty list of usage events', { events: [] }, ReportUsageDto, 'events', 'must contain at least 1 elements'],
      ['a negative grace period', { gracePeriodSeconds: -5 }, RotateKeyDto, 'gracePeriodSeconds', 'must not be less than 0'],
      ['a grace period over 30 days', { gracePeriodSeconds: 2_592_001 }, RotateKeyDto, 'gracePeriodSeconds', 'must not be greater than 2592000'],
      ['an empty name', { ...KEY, name: '' }, CreateKeyDto, 'name', 'must be longer than or equal to 1 characters'],
      ['an unknown event type', { appId: APP_ID, url: 'https://hooks.example.com', eventTypes: ['key.exploded'] }, CreateWebhookDto, 'eventTypes', expect.stringMatching(/^each value must be one of: /)],
      ['a nested limit out of range', { externalId: 'acct-1', policy: { rateLimits: { perMinute: 2_000_000_000 } } }, CreateCustomerDto, 'policy.rateLimits.perMinute', expect.stringMatching(/^must not be greater than /)],
    ])('%s', async (_case, body, metatype, field, message) => {
      expect((await refusalOf(body, metatype)).details).toEqual([{ field, message }]);
    });
  });

  describe('a body that is no JSON object', () => {
    it.each([
      ['null', null],
      ['an array', [{ gracePeriodSeconds: 60 }]],
      ['a string', 'acct-1'],
      ['a number', 42],
      ['a boolean', true],
    ])('%s is refused as such, not validated as an object', async (_case, body) => {
      const refusal = await refusalOf(body, RotateKeyDto);
      expect(refusal.details).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
      expect(refusal.message).toBe('Validation failed: body must be a JSON object');
    });

    it('no body at all is an empty object, for a route whose fields are all optional', async () => {
      await expect(createValidationPipe().transform(undefined, { type: 'body', metatype: RotateKeyDto })).resolves.toBeInstanceOf(RotateKeyDto);
    });

    it('leaves a body declared as a list to its route', async () => {
      const tokens = [{ token: 'x', type: 'keywarden_key', url: 'https://github.com' }];
      await expect(createValidationPipe().transform(tokens, { type: 'body', metatype: Array })).resolves.toEqual(tokens);
    });
  });

  describe('a query parameter given more than once', () => {
    it('is named once, not by the rules its list of values breaks', async () => {
      const refusal = await refusalOf({ limit: ['2', '3'] }, KeysPageQueryDto, 'query');
      expect(refusal.details).toEqual([{ field: 'limit', message: 'must be given once' }]);
      expect(refusal.message).toBe('Validation failed: limit must be given once');
    });

    it('each repeated one is named', async () => {
      const refusal = await refusalOf({ limit: ['2', '3'], cursor: ['a', 'b'] }, KeysPageQueryDto, 'query');
      expect(refusal.details).toEqual([
        { field: 'limit', message: 'must be given once' },
        { field: 'cursor', message: 'must be given once' },
      ]);
    });
  });
});
