import type { OpenAPIObject } from '@nestjs/swagger';
import { withNullTypes } from './nullable';

function documentWithField(field: Record<string, unknown>): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'test', version: '1' },
    paths: {},
    components: { schemas: { UpdateDto: { type: 'object', properties: { field } } } },
  };
}

function fieldOf(document: OpenAPIObject): unknown {
  return (document.components?.schemas?.UpdateDto as { properties: Record<string, unknown> }).properties.field;
}

describe('withNullTypes', () => {
  it('adds null to the type list of a typed schema', () => {
    const document = withNullTypes(documentWithField({ type: 'string', nullable: true, maxLength: 500 }));
    expect(fieldOf(document)).toEqual({ type: ['string', 'null'], maxLength: 500 });
  });

  it('adds null to the values of an enum', () => {
    const document = withNullTypes(documentWithField({ type: 'string', nullable: true, enum: ['a', 'b'] }));
    expect(fieldOf(document)).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
  });

  it('makes a reference either itself or null, keeping the description outside', () => {
    const reference = { type: 'object', allOf: [{ $ref: '#/components/schemas/PolicyDto' }] };
    const document = withNullTypes(documentWithField({ ...reference, nullable: true, description: 'null clears it' }));
    expect(fieldOf(document)).toEqual({ description: 'null clears it', anyOf: [reference, { type: 'null' }] });
  });
});
