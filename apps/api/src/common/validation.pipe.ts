import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
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

/**
 * class-validator's rules that check what kind of value a field holds, most telling first. A
 * value of the wrong kind fails the field's other rules too (length, range, enum, the rules
 * of each element, which class-validator applies to a lone value that is no list): their
 * messages add nothing, or contradict each other ("must contain at least 1 elements" and
 * "each value must be an object" for a string). ValidateNested's own complaint ("nested
 * property x must be either object or array") only restates IsObject's.
 */
const TYPE_RULES = ['isArray', 'isObject', 'isString', 'isBoolean', 'isNumber', 'isInt', 'nestedValidation'];

/** The type rule a field failed, if any (the first in TYPE_RULES). */
function failedTypeRule(error: ValidationError): string | undefined {
  return TYPE_RULES.find((rule) => rule in (error.constraints ?? {}));
}

/**
 * What matters about a field that failed: a missing value is required, whatever its rules;
 * a value of the wrong kind is named by its type rule alone; otherwise every rule it broke,
 * each message once (two rules may be worded alike, a type check and a bound).
 */
function messagesOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  if (Object.keys(constraints).length === 0) return [];
  // A rule that fails on a missing value belongs to a field that is not optional.
  if (error.value === undefined) return ['is required'];
  const typeRule = failedTypeRule(error);
  const messages = typeRule === undefined ? Object.values(constraints) : [constraints[typeRule]];
  return [...new Set(messages.map((message) => withoutProperty(message, error.property)))];
}

function flatten(errors: ValidationError[], parent = '', parentFailedType = false): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const rules = Object.keys(error.constraints ?? {});
    // An element of a list that is no object: the list's type rule ("each value must be an
    // object") has said so, ValidateNested would say it again for the element.
    if (parentFailedType && rules.length === 1 && rules[0] === 'nestedValidation') return [];
    const own = messagesOf(error).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field, failedTypeRule(error) !== undefined)];
  });
}

/** The body of a VALIDATION_FAILED answer: every field error, and a summary naming them. */
export function validationErrorOf(errors: ValidationError[]): ApiError {
  const details = flatten(errors);
  const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new ApiError('VALIDATION_FAILED', `Validation failed: ${summary || 'body is invalid'}`, details);
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A query parameter given more than once arrives as a list of its values, and failed each
 * of its rules as one ("limit must be an integer number" for `limit=2&limit=3`): which
 * value was meant cannot be known. No parameter of ours takes several values.
 */
function repeatedParameters(query: Record<string, unknown>): ApiError | null {
  const repeated = Object.keys(query).filter((name) => Array.isArray(query[name]));
  return repeated.length === 0 ? null : ApiError.invalidFields(repeated.map((field) => ({ field, message: 'must be given once' })));
}

/**
 * Nest's pipe, refusing what it would otherwise validate as something else: a body of
 * JSON null is validated as `{}` (a PATCH of it changed nothing and answered 200), an
 * array or a scalar as an object with odd fields; a repeated query parameter as a list.
 * No body at all stays `{}`: a POST that needs none (a rotation without a grace period)
 * is sent without one.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata)) {
      if (metadata.type === 'body' && value !== undefined && !isJsonObject(value)) throw ApiError.bodyNotObject();
      const repeated = metadata.type === 'query' && isJsonObject(value) ? repeatedParameters(value as Record<string, unknown>) : null;
      if (repeated) throw repeated;
    }
    return super.transform(value, metadata);
  }
}

/** class-validator DTOs: unknown fields are rejected, never silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The value tells a missing field from a wrong one (messagesOf); it is never written out.
    validationError: { target: false, value: true },
    exceptionFactory: validationErrorOf,
  });
}
