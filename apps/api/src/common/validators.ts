import {
  ADMIN_KEY_ENVIRONMENT,
  ENVIRONMENT_PATTERN,
  isManagementScope,
  isCostOfMicros,
  isMicroAmount,
  isScopePattern,
  isScopePreset,
  MAX_METADATA_BYTES,
  SCOPE_PATTERN,
  SCOPE_PRESETS,
} from '@keywarden/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiSchema, type ApiSchemaOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  isISO8601,
  IsObject,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

/** `resource.action`, `resource.*` or `*`; with `allowPresets`, also read / write / admin. */
export function IsScope(options: { allowPresets?: boolean } & ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isScope',
      validator: {
        validate: (value) => isScopePattern(value) || (options.allowPresets === true && isScopePreset(value)),
        defaultMessage: () =>
          options.allowPresets
            ? 'must be scopes like "resource.action", "resource.*", "*", or a preset (read, write, admin)'
            : 'must be scopes like "resource.action", "resource.*" or "*"',
      },
    },
    options,
  );
}

/** How many scopes a list takes, and which kinds. */
export interface ScopeListRules {
  minItems?: number;
  maxItems: number;
  /** Also the presets read / write / admin. */
  allowPresets?: boolean;
  /** Refuses Keywarden's own management scopes (an app's scopes). */
  appScopesOnly?: boolean;
}

/**
 * A list of distinct scopes, validated and documented from the same rules: the OpenAPI
 * plugin cannot read a custom validator such as IsScope, so the list's schema is declared here.
 */
export function IsScopeList({ minItems, maxItems, allowPresets = false, appScopesOnly = false }: ScopeListRules) {
  const scope = { type: 'string', pattern: SCOPE_PATTERN.source };
  return applyDecorators(
    IsArray(),
    ...(minItems === undefined ? [] : [ArrayMinSize(minItems)]),
    ArrayMaxSize(maxItems),
    ArrayUnique(),
    IsScope({ each: true, allowPresets }),
    ...(appScopesOnly ? [IsNotManagementScope({ each: true })] : []),
    ApiProperty({
      type: 'array',
      items: allowPresets ? { type: 'string', anyOf: [{ pattern: scope.pattern }, { enum: [...SCOPE_PRESETS] }] } : scope,
      minItems,
      maxItems,
      uniqueItems: true,
    }),
  );
}

/** App scopes must not reach into Keywarden's own management API. */
export function IsNotManagementScope(options: ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isNotManagementScope',
      validator: {
        validate: (value) => typeof value !== 'string' || isScopePreset(value) || !isManagementScope(value),
        defaultMessage: () => 'must not contain Keywarden management scopes (apps.*, keys.*, usage.*, ...) or "*"',
      },
    },
    options,
  );
}

export function IsEnvironmentName(options: ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isEnvironmentName',
      validator: {
        validate: (value) => typeof value === 'string' && ENVIRONMENT_PATTERN.test(value) && value !== ADMIN_KEY_ENVIRONMENT,
        defaultMessage: () => `must be 2-16 lowercase letters (and not "${ADMIN_KEY_ENVIRONMENT}")`,
      },
    },
    options,
  );
}

export function IsMetadata(options: ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isMetadata',
      validator: {
        validate: (value) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES,
        defaultMessage: () => `must be a JSON object of at most ${MAX_METADATA_BYTES} bytes`,
      },
    },
    options,
  );
}

export function IsFutureDate(options: ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isFutureDate',
      validator: {
        validate: (value) => typeof value === 'string' && readsAsInstant(value) && Date.parse(value) > Date.now(),
        defaultMessage: () => 'must be an ISO 8601 date in the future, a time with its time zone (e.g. 2027-01-01T00:00:00Z)',
      },
    },
    options,
  );
}

/** A time of day without `Z` or an offset: JavaScript reads it in the server's own time zone. */
function lacksTimeZone(value: string): boolean {
  return /^\d{4}-\d\d-\d\d[T ]\d/i.test(value) && !/(Z|[+-]\d\d:?\d\d)$/i.test(value);
}

/** Whether a strict ISO 8601 string reads as one instant wherever the server runs (see IsReadableInstant). */
function readsAsInstant(value: string): boolean {
  return isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value)) && !lacksTimeZone(value);
}

/**
 * Beside `IsISO8601({ strict: true })`: an ISO 8601 string must also be one the API can
 * read as one instant. Week dates (`2026-W49`), ordinal dates (`2026-341`), the basic format
 * (`20261207T100000Z`) and an hour-only offset (`+05`) are ISO 8601 but not read, and would
 * otherwise reach the database as an invalid date. A time must carry its zone (`Z` or
 * `±hh:mm`): without one it would be read in the server's zone, so the same request would
 * mean another instant on another host. A date alone is midnight UTC.
 */
export function IsReadableInstant(options: ValidationOptions = {}) {
  return ValidateBy(
    {
      name: 'isReadableInstant',
      validator: {
        validate: (value) => typeof value !== 'string' || !isISO8601(value, { strict: true }) || readsAsInstant(value),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && !Number.isNaN(Date.parse(args.value))
            ? 'must give its time zone, such as 2026-12-07T10:00:00Z or 2026-12-07T11:00:00+01:00'
            : 'must be a calendar date and time such as 2026-12-07T10:00:00Z (week dates, ordinal dates and the basic format are not accepted)',
      },
    },
    options,
  );
}

/** An integer, documented as one: the OpenAPI plugin documents class-validator's IsInt as a number. */
export function IsInteger(options: ValidationOptions = {}) {
  return applyDecorators(IsInt(options), ApiProperty({ type: 'integer' }));
}

/**
 * Documents that a body gives exactly one of `fields` (the service refuses anything else with
 * a 400). `@ApiSchema` spreads its options into the class's schema, which is how the
 * `oneOf` gets there.
 */
export function ApiExactlyOneOf(...fields: string[]) {
  const names = new Intl.ListFormat('en', { type: 'conjunction' }).format(fields.map((field) => `\`${field}\``));
  return ApiSchema({
    description: `Give exactly one of ${names}.`,
    oneOf: fields.map((field) => ({ required: [field] })),
  } as ApiSchemaOptions);
}

/**
 * Like @IsOptional, but only for a missing field: `null` is validated (and refused by
 * the field's other rules) instead of passing as if absent.
 */
export function OmittableNotNull(options: ValidationOptions = {}) {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/**
 * A nested object (`each`: a list of them) validated as `type`. It must be an object:
 * `ValidateNested` alone walks an array element by element, so `[]` or `[[]]` passed for
 * an object and reached the service.
 */
export function NestedObject(type: NonNullable<Parameters<typeof Type>[0]>, options: ValidationOptions = {}) {
  return applyDecorators(IsObject(options), ValidateNested(options), Type(type));
}

/** The largest amount of money a field takes (a cost or a daily cap). */
const MAX_AMOUNT = 1_000_000_000;

/** An amount of money, from 0 to `MAX_AMOUNT`, that `isExact` finds stored exactly as micro-units. */
function amountValidator(name: string, isExact: (value: unknown) => value is number) {
  return ValidateBy({
    name,
    // Read by the OpenAPI document as the field's minimum and maximum.
    constraints: [0, MAX_AMOUNT],
    validator: {
      validate: (value) => isExact(value) && value <= MAX_AMOUNT,
      defaultMessage: () => `must be a decimal amount between 0 and ${MAX_AMOUNT} with at most 6 decimals`,
    },
  });
}

/** The money validators, by name: their constraints are the range they accept. */
export const AMOUNT_VALIDATORS = { amount: 'isAmount', cost: 'isCost' } as const;

/** An amount a person sets (a daily cap): at most 6 decimals. */
export const IsAmount = () => amountValidator(AMOUNT_VALIDATORS.amount, isMicroAmount);

/** A cost a caller computes: at most 6 decimals, up to floating-point noise (see `isCostOfMicros`). */
export const IsCost = () => amountValidator(AMOUNT_VALIDATORS.cost, isCostOfMicros);
