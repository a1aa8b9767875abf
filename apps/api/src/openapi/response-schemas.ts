import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';

type JsonSchema = Record<string, unknown>;

/**
 * What the build derives from the routes' declared return types (scripts/response-schemas.mjs):
 * the body schema of each operation (null: no body), the named wire types they refer
 * to, and the error envelope.
 */
export interface ResponseSchemas {
  operations: Record<string, JsonSchema | null>;
  components: Record<string, JsonSchema>;
  error: JsonSchema;
}

export const RESPONSE_SCHEMAS_FILE = 'response-schemas.json';

/** Written by the build next to the compiled API (dist/). */
export function loadResponseSchemas(): ResponseSchemas {
  return JSON.parse(readFileSync(join(__dirname, '..', RESPONSE_SCHEMAS_FILE), 'utf8')) as ResponseSchemas;
}

/** A route answering a string (the Prometheus scrape) sends it as text, not JSON. */
function mediaTypeOf(schema: JsonSchema): string {
  return schema.type === 'string' ? 'text/plain' : 'application/json';
}

/**
 * The document with each operation's success response given its body schema and every
 * 4xx documented as the error envelope. Nest names operations `Controller_method`,
 * which is how the build keyed the schemas.
 */
export function withResponseSchemas(document: OpenAPIObject, schemas: ResponseSchemas): OpenAPIObject {
  const components = { ...document.components?.schemas };
  for (const [name, schema] of Object.entries(schemas.components)) {
    if (name in components) throw new Error(`OpenAPI component ${name} is both a request DTO and a response wire type`);
    components[name] = schema;
  }
  const errorResponse = {
    description: 'Refused: `error.code` says why; `requestId` matches the x-request-id header.',
    content: { 'application/json': { schema: schemas.error } },
  };
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    const operations: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) {
        operations[method] = operation;
        continue;
      }
      const schema = schemas.operations[operation.operationId];
      const responses: Record<string, unknown> = {};
      for (const [status, response] of Object.entries(operation.responses as Record<string, JsonSchema>)) {
        const success = /^2\d\d$/.test(status) && status !== '204' && schema;
        responses[status] = success ? { ...response, content: { [mediaTypeOf(schema)]: { schema } } } : response;
      }
      responses['4XX'] = errorResponse;
      operations[method] = { ...operation, responses };
    }
    paths[path] = operations;
  }
  return { ...document, paths, components: { ...document.components, schemas: components } };
}
