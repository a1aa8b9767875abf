import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '@keywarden/core';
import { ApiError } from './api-error';

/**
 * A rule's message without the property name class-validator writes into it (the field
 * carries it already): "x must …", "each value in x must …", "All x's elements …".
 */
function withoutProperty(message: string, property: string): string {
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  if (message.startsWith(`each value in ${property} `)) return `each value ${message.slice(`each value in ${property} `.length)}`;
  if (message.startsWith(`All ${property}'s elements `)) return `all elements ${message.slice(`All ${property}'s elements `.length)}`;
  return message;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // class-validator prefixes the property name; the field carries it already. Two rules
    // of one field may fail with the same message (a type check and a bound worded alike):
    // the field is named once per message.
    const messages = new Set(Object.values(error.constraints ?? {}).map((message) => withoutProperty(message, error.property)));
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
