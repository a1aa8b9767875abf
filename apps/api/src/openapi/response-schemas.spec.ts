import type { OpenAPIObject } from '@nestjs/swagger';
import { type ResponseSchemas, withResponseSchemas } from './response-schemas';

const APP_KEY = { $ref: '#/components/schemas/AppKey' };
const ENVELOPE = { $ref: '#/components/schemas/ErrorEnvelope' };

function documentWith(operations: Record<string, { operationId: string; status: string }>): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'test', version: '1' },
    paths: Object.fromEntries(
      Object.entries(operations).map(([path, { operationId, status }]) => [
        path,
        { get: { operationId, responses: { [status]: { description: '', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      ]),
    ),
    components: { schemas: { CreateKeyDto: { type: 'object' } } },
  };
}

const SCHEMAS: ResponseSchemas = {
  operations: { KeysController_get: APP_KEY, MetricsController_scrape: { type: 'string' }, AppsController_delete: null },
  components: { AppKey: { type: 'object', properties: { id: { type: 'string' } } }, ErrorEnvelope: { type: 'object' } },
  error: ENVELOPE,
};

describe('withResponseSchemas', () => {
  it("replaces a success response's placeholder with the route's schema and documents 4XX as the envelope", () => {
    const document = withResponseSchemas(documentWith({ '/v1/keys/{id}': { operationId: 'KeysController_get', status: '200' } }), SCHEMAS);
    expect(document.paths['/v1/keys/{id}'].get?.responses).toEqual({
      '200': { description: '', content: { 'application/json': { schema: APP_KEY } } },
      '4XX': expect.objectContaining({ content: { 'application/json': { schema: ENVELOPE } } }),
    });
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(['CreateKeyDto', 'AppKey', 'ErrorEnvelope']);
  });

  it('documents a string answer as text/plain', () => {
    const document = withResponseSchemas(documentWith({ '/metrics': { operationId: 'MetricsController_scrape', status: '200' } }), SCHEMAS);
    expect(document.paths['/metrics'].get?.responses['200']).toEqual({ description: '', content: { 'text/plain': { schema: { type: 'string' } } } });
  });

  it('leaves a 204 without a body', () => {
    const input = documentWith({ '/v1/apps/{id}': { operationId: 'AppsController_delete', status: '204' } });
    input.paths['/v1/apps/{id}'].get!.responses['204'] = { description: '' };
    const document = withResponseSchemas(input, SCHEMAS);
    expect(document.paths['/v1/apps/{id}'].get?.responses['204']).toEqual({ description: '' });
  });

  it('refuses a wire type named like a request DTO, rather than documenting one in place of the other', () => {
    const clash = { ...SCHEMAS, components: { ...SCHEMAS.components, CreateKeyDto: { type: 'string' } } };
    expect(() => withResponseSchemas(documentWith({}), clash)).toThrow('CreateKeyDto');
  });
});
