import { DEFAULT_ERROR_MESSAGES, type ErrorCode, type FieldError, httpStatusOf } from '@keywarden/core';

/**
 * An expected failure with a public message. Anything else thrown is treated as a bug:
 * logged, and answered as INTERNAL_ERROR without detail.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_ERROR_MESSAGES[code],
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = httpStatusOf(code);
  }

  static notFound(resource: string): ApiError {
    return new ApiError('NOT_FOUND', `${resource} not found`);
  }

  static conflict(message: string): ApiError {
    return new ApiError('CONFLICT', message);
  }

  static validation(field: string, message: string): ApiError {
    return ApiError.invalidFields([{ field, message }]);
  }

  /** VALIDATION_FAILED with these field errors, the message naming each. */
  static invalidFields(details: FieldError[]): ApiError {
    return new ApiError('VALIDATION_FAILED', `Validation failed: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
  }

  /** A JSON body that is no object (null, an array, a string, a number) where a route takes an object. */
  static bodyNotObject(): ApiError {
    return ApiError.validation('body', 'must be a JSON object');
  }
}
