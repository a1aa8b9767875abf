import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ApiError } from './api-error';
import { errorResponse } from './error-response';

const REQUEST_ID = 'req_01m8bjtpgxb89c0vhkvap7edn2';

describe('errorResponse', () => {
  it('answers an ApiError with its code, status, message and details', () => {
    const error = ApiError.validation('scopes', 'are not in the catalog');
    expect(errorResponse(error, REQUEST_ID)).toEqual({
      status: 400,
      unexpected: false,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'Validation failed: scopes are not in the catalog',
          requestId: REQUEST_ID,
          details: [{ field: 'scopes', message: 'are not in the catalog' }],
        },
      },
    });
  });

  it('leaves details out when there are none', () => {
    expect(errorResponse(new ApiError('KEY_REVOKED'), REQUEST_ID).body.error).toEqual({
      code: 'KEY_REVOKED',
      message: 'API key has been revoked',
      requestId: REQUEST_ID,
    });
  });

  it('replaces framework messages, which may quote the request, with fixed ones', () => {
    const parseError = new BadRequestException(`Unexpected token in JSON: "kw_live_${'a'.repeat(36)}"`);
    const { status, body } = errorResponse(parseError, REQUEST_ID);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Malformed request body' });
    expect(JSON.stringify(body)).not.toContain('kw_live_');
  });

  it.each([
    [new NotFoundException('Cannot GET /v1/x'), 404, 'NOT_FOUND', 'Route not found'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  ])('maps framework HTTP errors by status (%#)', (error, status, code, message) => {
    expect(errorResponse(error, REQUEST_ID)).toMatchObject({ status, body: { error: { code, message } } });
  });

  it('answers a static file path that will not be served (403 from the file server) as not found, not as a missing scope', () => {
    const forbiddenPath = Object.assign(new Error('Forbidden'), { name: 'FastifyError', code: 'FST_STATIC_FORBIDDEN_PATH', statusCode: 403 });
    expect(errorResponse(forbiddenPath, REQUEST_ID)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Route not found' } } });
  });

  it('turns a JSON-schema rejection into field details', () => {
    const schemaError = Object.assign(new Error('body must be object'), {
      validation: [
        { instancePath: '/key', message: 'must be string', params: {} },
        { instancePath: '', message: 'must NOT have additional properties', params: { additionalProperty: 'extra' } },
        { instancePath: '', message: "must have required property 'key'", params: { missingProperty: 'key' } },
      ],
    });
    expect(errorResponse(schemaError, REQUEST_ID).body.error.details).toEqual([
      { field: 'key', message: 'must be string' },
      { field: 'extra', message: 'is not an allowed field' },
      { field: 'key', message: "must have required property 'key'" },
    ]);
  });

  it('names a JSON-schema body that is no object as the validation pipe does', () => {
    const schemaError = Object.assign(new Error('body must be object'), {
      validation: [{ instancePath: '', keyword: 'type', message: 'must be object', params: { type: 'object' } }],
    });
    expect(errorResponse(schemaError, REQUEST_ID).body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Validation failed: body must be a JSON object',
      requestId: REQUEST_ID,
      details: [{ field: 'body', message: 'must be a JSON object' }],
    });
  });

  it('hides unexpected errors behind INTERNAL_ERROR and flags them for logging', () => {
    const { status, body, unexpected } = errorResponse(new TypeError('cannot read x of undefined'), REQUEST_ID);
    expect({ status, unexpected }).toEqual({ status: 500, unexpected: true });
    expect(body.error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: REQUEST_ID });
  });
});
