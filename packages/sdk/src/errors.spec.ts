import { KeywardenError, redact } from './errors';

describe('KeywardenError.fromResponse', () => {
  it('copies code, message, status, requestId and details from the envelope', () => {
    const error = KeywardenError.fromResponse(400, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Request validation failed',
        requestId: 'req_1',
        details: [{ field: 'name', message: 'Required' }],
      },
    });

    expect(error).toBeInstanceOf(KeywardenError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KeywardenError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('Request validation failed');
    expect(error.status).toBe(400);
    expect(error.requestId).toBe('req_1');
    expect(error.details).toEqual([{ field: 'name', message: 'Required' }]);
  });

  it('leaves details absent when the envelope has none', () => {
    const error = KeywardenError.fromResponse(404, {
      error: { code: 'NOT_FOUND', message: 'Resource not found', requestId: 'req_2' },
    });

    expect(error.details).toBeUndefined();
    expect('details' in error).toBe(false);
  });

  it('drops malformed entries from details', () => {
    const error = KeywardenError.fromResponse(400, {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Request validation failed',
        requestId: 'req_3',
        details: [{ field: 'name', message: 'Required' }, { field: 3 }, 'oops'],
      },
    });

    expect(error.details).toEqual([{ field: 'name', message: 'Required' }]);
  });

  it.each([
    ['an HTML string', '<html>502 Bad Gateway</html>'],
    ['no body', undefined],
    ['null', null],
    ['JSON that is not an envelope', { message: 'upstream down' }],
    ['an envelope without a message', { error: { code: 'NOT_FOUND' } }],
  ])('maps %s to INTERNAL_ERROR with the real status', (_label, body) => {
    const error = KeywardenError.fromResponse(502, body);

    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.status).toBe(502);
    expect(error.requestId).toBeNull();
    expect(error.message).toBe('Keywarden answered HTTP 502 without an error envelope');
  });

  it('keeps message and request id of a code this SDK does not know, as INTERNAL_ERROR', () => {
    const error = KeywardenError.fromResponse(418, {
      error: { code: 'TEAPOT', message: 'I am a teapot', requestId: 'req_4' },
    });

    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.status).toBe(418);
    expect(error.message).toBe('I am a teapot');
    expect(error.requestId).toBe('req_4');
  });

  it('redacts the given secrets from message and details', () => {
    const secret = 'kw_live_supersecretvalue';
    const error = KeywardenError.fromResponse(
      400,
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: `bad key ${secret}`,
          requestId: 'req_5',
          details: [{ field: 'key', message: `${secret} is malformed` }],
        },
      },
      [secret],
    );

    expect(error.message).toBe('bad key [REDACTED]');
    expect(error.details).toEqual([{ field: 'key', message: '[REDACTED] is malformed' }]);
  });
});

describe('KeywardenError', () => {
  it('defaults requestId to null for failures that never reached the API', () => {
    const error = new KeywardenError({ code: 'NETWORK_ERROR', status: 0, message: 'down' });

    expect(error.requestId).toBeNull();
    expect(error.status).toBe(0);
  });

  it('includes the message when serialized to JSON', () => {
    const error = new KeywardenError({ code: 'NOT_FOUND', status: 404, message: 'Resource not found', requestId: 'req_6' });

    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'KeywardenError',
      code: 'NOT_FOUND',
      status: 404,
      message: 'Resource not found',
      requestId: 'req_6',
      retryAfter: null,
    });
  });
});

describe('redact', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redact('a SECRET b SECRET c OTHER', ['SECRET', 'OTHER'])).toBe('a [REDACTED] b [REDACTED] c [REDACTED]');
  });

  it('ignores empty secrets instead of splitting the text on them', () => {
    expect(redact('unchanged', [''])).toBe('unchanged');
  });
});
