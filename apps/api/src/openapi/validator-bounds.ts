import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { AMOUNT_VALIDATORS } from '../common/validators';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema keywords that state a validator's bounds, by the validator's name. */
const BOUND_KEYWORDS: Record<string, (constraints: readonly unknown[]) => JsonSchema> = {
  min: ([minimum]) => ({ minimum }),
  max: ([maximum]) => ({ maximum }),
  minLength: ([minLength]) => ({ minLength }),
  maxLength: ([maxLength]) => ({ maxLength }),
  isLength: ([minLength, maxLength]) => (maxLength === undefined ? { minLength } : { minLength, maxLength }),
  arrayMinSize: ([minItems]) => ({ minItems }),
  arrayMaxSize: ([maxItems]) => ({ maxItems }),
  ...Object.fromEntries(Object.values(AMOUNT_VALIDATORS).map((name) => [name, ([minimum, maximum]: readonly unknown[]) => ({ minimum, maximum })])),
};

/** Every class class-validator holds rules for: the storage keeps no public list of them. */
function validatedClasses(): Function[] {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function | string, unknown> };
  return [...storage.validationMetadatas.keys()].filter((target): target is Function => typeof target === 'function');
}

/** Per property, the bounds a class's validators (its parents' included) enforce; `items` for rules on each element. */
function validatorBoundsOf(target: Function): Map<string, { own: JsonSchema; items: JsonSchema }> {
  const bounds = new Map<string, { own: JsonSchema; items: JsonSchema }>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    const keywords = metadata.name === undefined ? undefined : BOUND_KEYWORDS[metadata.name];
    if (!keywords) continue;
    const property = bounds.get(metadata.propertyName) ?? { own: {}, items: {} };
    Object.assign(metadata.each ? property.items : property.own, keywords(metadata.constraints));
    bounds.set(metadata.propertyName, property);
  }
  return bounds;
}

/**
 * The document with each request DTO's minimum/maximum, string lengths and list sizes as
 * its validators enforce them. The OpenAPI plugin reads only decorators written on the
 * property itself, so a bound inside a composed decorator (a policy's limits) or one it
 * does not know (a list's size) was missing; read from class-validator's own metadata, the
 * document cannot say other than what is enforced. Components are named after their class.
 */
export function withValidatorBounds(document: OpenAPIObject): OpenAPIObject {
  const schemas = { ...document.components?.schemas } as Record<string, JsonSchema>;
  for (const target of validatedClasses()) {
    const schema = schemas[target.name];
    const properties = schema?.properties as Record<string, JsonSchema> | undefined;
    if (!properties) continue;
    const bounded = { ...properties };
    for (const [name, { own, items }] of validatorBoundsOf(target)) {
      const property = bounded[name];
      if (!property) continue;
      bounded[name] = { ...property, ...own, ...(Object.keys(items).length > 0 ? { items: { ...(property.items as JsonSchema), ...items } } : {}) };
    }
    schemas[target.name] = { ...schema, properties: bounded };
  }
  return { ...document, components: { ...document.components, schemas } };
}
