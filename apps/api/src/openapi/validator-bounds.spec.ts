import type { OpenAPIObject } from '@nestjs/swagger';
import { ArrayMaxSize, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { IsAmount } from '../common/validators';
import { withValidatorBounds } from './validator-bounds';

class BoundedParentDto {
  @Min(1)
  @Max(10)
  count?: number;
}

class BoundedDto extends BoundedParentDto {
  @Length(2, 8)
  name?: string;

  @ArrayMaxSize(3)
  @MaxLength(5, { each: true })
  tags?: string[];

  @IsAmount()
  cap?: number;

  @IsString()
  note?: string;
}

function documentWith(properties: Record<string, Record<string, unknown>>): OpenAPIObject {
  return { openapi: '3.1.0', info: { title: 'test', version: '1' }, paths: {}, components: { schemas: { [BoundedDto.name]: { type: 'object', properties } } } };
}

describe('withValidatorBounds', () => {
  it("states each property's bounds as its class's validators (its parent's included) enforce them", () => {
    const document = withValidatorBounds(
      documentWith({
        count: { type: 'integer' },
        name: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        cap: { type: 'number' },
        note: { type: 'string' },
      }),
    );
    expect(document.components?.schemas?.[BoundedDto.name]).toEqual({
      type: 'object',
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 10 },
        name: { type: 'string', minLength: 2, maxLength: 8 },
        tags: { type: 'array', maxItems: 3, items: { type: 'string', maxLength: 5 } },
        cap: { type: 'number', minimum: 0, maximum: 1_000_000_000 },
        note: { type: 'string' },
      },
    });
  });

  it('leaves a component no validated class is named after as it was', () => {
    const input: OpenAPIObject = { ...documentWith({}), components: { schemas: { Other: { type: 'object', properties: { count: { type: 'integer' } } } } } };
    expect(withValidatorBounds(input)).toEqual(input);
  });
});
