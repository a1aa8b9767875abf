import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '@keywarden/core';
import { ApiError } from './api-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // class-validator prefixes the property name; the field carries it already. Two rules
    // of one field may fail with the same message (a type check and a bound worded alike):
    // the field is named once per message.
    const messages = new Set(
      Object.values(error.constraints ?? {}).map((message) =>
        message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
      ),
    );
    const own = [...messages].map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The body of a VALIDATION_FAILED answer: every field error, and a summary naming them. */
export function validationErrorOf(errors: ValidationError[]): ApiError {
  const details = flatten(errors);
  const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new ApiError('VALIDATION_FAILED', `Validation failed: ${summary || 'body is invalid'}`, details);
}

/** class-validator DTOs: unknown fields are rejected, never silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationErrorOf,
  });
}
