import type { OpenAPIObject } from '@nestjs/swagger';

type JsonSchema = Record<string, unknown>;

/** What a schema says about its value, rather than what it is: kept beside a wrapping `anyOf`. */
const ANNOTATIONS = ['description', 'title', 'default', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly'];

/**
 * A `nullable: true` schema (OpenAPI 3.0, which the plugin writes for `T | null`) as 3.1
 * states it: `null` joins the type list; a schema that is a reference or a composition has
 * no type of its own to extend (`type: object` beside an `allOf` still refuses null), so it
 * becomes `anyOf` itself or null. An enum lists null too.
 */
function nullableSchema({ nullable: _nullable, ...schema }: JsonSchema): JsonSchema {
  const composed = ['$ref', 'allOf', 'oneOf', 'anyOf'].some((keyword) => keyword in schema);
  if (!composed && typeof schema.type === 'string') {
    return { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) };
  }
  const annotations = Object.fromEntries(Object.entries(schema).filter(([keyword]) => ANNOTATIONS.includes(keyword)));
  const value = Object.fromEntries(Object.entries(schema).filter(([keyword]) => !ANNOTATIONS.includes(keyword)));
  return { ...annotations, anyOf: [value, { type: 'null' }] };
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const rewritten = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rewrite(value)]));
  return rewritten.nullable === true ? nullableSchema(rewritten) : rewritten;
}

/** The document with every `nullable: true`, a keyword OpenAPI 3.1 no longer has, stated in 3.1's terms. */
export function withNullTypes(document: OpenAPIObject): OpenAPIObject {
  return rewrite(document) as OpenAPIObject;
}
