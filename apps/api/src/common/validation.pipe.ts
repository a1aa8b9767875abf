import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '@keywarden/core';
import { ApiError } from './api-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator prefixes the property name; the field carries it already.
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator DTOs: unknown fields are rejected, never silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
      return new ApiError('VALIDATION_FAILED', `Validation failed: ${summary || 'body is invalid'}`, details);
    },
  });
}
