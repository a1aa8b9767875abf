import type { OpenAPIObject } from '@nestjs/swagger';

type JsonSchema = Record<string, unknown>;

const COMPONENT_REF = '#/components/schemas/';

/** The component names a schema refers to, at any depth. */
function referencedComponents(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => referencedComponents(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) found.add(value.slice(COMPONENT_REF.length));
      else referencedComponents(value, found);
    }
  }
  return found;
}

/**
 * The document with every request body's object components (and the ones nested in them)
 * closed with `additionalProperties: false`: the validation pipe refuses a field its DTO
 * does not declare (whitelist + forbidNonWhitelisted). A schema that states its own
 * `additionalProperties` (a free-form metadata map) keeps it.
 */
export function withClosedRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = { ...document.components?.schemas } as Record<string, JsonSchema>;
  const pending = [...referencedComponents(Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => (operation as { requestBody?: unknown }).requestBody)))];
  const closed = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (closed.has(name) || !(name in schemas)) continue;
    closed.add(name);
    const schema = schemas[name];
    if (schema.type === 'object' && !('additionalProperties' in schema)) schemas[name] = { ...schema, additionalProperties: false };
    pending.push(...referencedComponents(schema));
  }
  return { ...document, components: { ...document.components, schemas } };
}
