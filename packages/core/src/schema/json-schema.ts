/** The JSON Schema `type` of a TypeScript value type. */
type JsonTypeOf<Value> = Value extends string
  ? 'string'
  : Value extends number
    ? 'integer' | 'number'
    : Value extends boolean
      ? 'boolean'
      : Value extends null
        ? 'null'
        : Value extends readonly unknown[]
          ? 'array'
          : 'object';

type RequiredFieldOf<T> = { [Field in keyof T]-?: object extends Pick<T, Field> ? never : Field }[keyof T];

/** The schema of one field: its `type` must fit the field's type; other keywords are free. */
export type FieldSchema<Value> = { readonly type: JsonTypeOf<Value> | readonly JsonTypeOf<Value>[] } & { readonly [keyword: string]: unknown };

/** The JSON schema of the object type T: one property per field of T. */
export interface ObjectSchema<T> {
  readonly type: 'object';
  readonly additionalProperties?: boolean;
  readonly required: readonly RequiredFieldOf<T>[];
  readonly properties: { readonly [Field in keyof T]-?: FieldSchema<Exclude<T[Field], undefined>> };
}

/** Compile errors for what `ObjectSchema<T>` alone cannot see: fields only in the schema, required fields not listed. */
type Exactly<T, Schema extends ObjectSchema<T>> = ([Exclude<keyof Schema['properties'], keyof T>] extends [never]
  ? unknown
  : { readonly properties: { readonly [Field in Exclude<keyof Schema['properties'], keyof T>]: 'is not a field of the type' } }) &
  ([Exclude<RequiredFieldOf<T>, Schema['required'][number]>] extends [never]
    ? unknown
    : { readonly required: readonly ['lists every required field of the type', Exclude<RequiredFieldOf<T>, Schema['required'][number]>] });

/**
 * A JSON schema that the compiler holds to the TypeScript type it validates: a field
 * added to (or removed from) the type without the schema, a property the type does not
 * have, a `type` that does not fit or a required field missing from `required` fails
 * the build. The schema is answered unchanged, with its literal types.
 *
 *   export const VERIFY_KEY_REQUEST_SCHEMA = objectSchemaOf<VerifyKeyRequest>()({ ... });
 */
export function objectSchemaOf<T>() {
  return <const Schema extends ObjectSchema<T>>(schema: Schema & Exactly<T, Schema>): Schema => schema;
}
