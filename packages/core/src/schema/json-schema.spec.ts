import { objectSchemaOf } from './json-schema';

/**
 * The checks run at compile time (`pnpm typecheck`, and ts-jest here): each
 * `@ts-expect-error` below fails the build if the schema it marks were accepted.
 */
interface Item {
  id: string;
  count?: number;
  note?: string | null;
}

describe('objectSchemaOf', () => {
  it('answers a schema that describes every field of its type unchanged', () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, count: { type: 'integer', minimum: 0 }, note: { type: ['string', 'null'] } },
    } as const;
    expect(objectSchemaOf<Item>()(schema)).toBe(schema);
  });

  it('refuses a schema without a property for a field of the type', () => {
    // @ts-expect-error note has no property schema
    objectSchemaOf<Item>()({ type: 'object', required: ['id'], properties: { id: { type: 'string' }, count: { type: 'integer' } } });
  });

  it('refuses a property the type does not have', () => {
    objectSchemaOf<Item>()({
      type: 'object',
      required: ['id'],
      // @ts-expect-error extra is not a field of Item
      properties: { id: { type: 'string' }, count: { type: 'integer' }, note: { type: 'string' }, extra: { type: 'string' } },
    });
  });

  it('refuses a required field missing from required', () => {
    // @ts-expect-error id is required by the type
    objectSchemaOf<Item>()({ type: 'object', required: [], properties: { id: { type: 'string' }, count: { type: 'integer' }, note: { type: 'string' } } });
  });

  it('refuses a property type that does not fit the field', () => {
    // @ts-expect-error count is a number, not a string
    objectSchemaOf<Item>()({ type: 'object', required: ['id'], properties: { id: { type: 'string' }, count: { type: 'string' }, note: { type: 'string' } } });
  });
});
