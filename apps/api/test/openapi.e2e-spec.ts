import Ajv, { type ValidateFunction } from 'ajv';
import { type ApiProcess, bootstrapWorkspace, type RawResponse, rawRequest, startApi, uniqueName, type Workspace } from './harness';

type JsonSchema = Record<string, unknown>;
interface MediaType {
  schema?: JsonSchema;
}
interface Response {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, Response>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

let api: ApiProcess;
let workspace: Workspace;
let document: OpenApiDocument;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

function operations(): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/** The schema the document declares for this status of `METHOD /path/{param}`, compiled with the document's components. */
function declaredSchema(method: string, path: string, status: number): ValidateFunction {
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`];
  if (!response) throw new Error(`${method} ${path} documents no ${status} response`);
  const schema = Object.values(response.content ?? {})[0]?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no body for ${status}`);
  const cacheKey = `${method} ${path} ${status}`;
  let validate = validators.get(cacheKey);
  if (!validate) {
    // Refs point at #/components/schemas/...: compile each schema with the components beside it.
    validate = ajv.compile({ ...schema, components: document.components });
    validators.set(cacheKey, validate);
  }
  return validate;
}

/** The real answer fits the schema its route declares: no missing, extra or mistyped field. */
function expectDeclaredShape(method: string, path: string, response: RawResponse): void {
  const validate = declaredSchema(method, path, response.status);
  const body = response.headers.get('content-type')?.startsWith('application/json') ? response.json : response.text;
  expect({ route: `${method} ${path} ${response.status}`, errors: validate(body) ? [] : validate.errors }).toEqual({
    route: `${method} ${path} ${response.status}`,
    errors: [],
  });
}

async function call(method: string, path: string, options: { body?: unknown; apiKey?: string } = {}): Promise<RawResponse> {
  return rawRequest(api.baseUrl, path, {
    method,
    apiKey: options.apiKey ?? workspace.secret,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('openapi');
  document = (await rawRequest(api.baseUrl, '/docs-json')).json as OpenApiDocument;
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('the OpenAPI document at /docs-json', () => {
  it('documents a success response with a body schema for every operation (204 alone has no body)', () => {
    const missing = operations().flatMap(({ method, path, operation }) => {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (successes.length === 0) return [`${method} ${path}: no success response`];
      return successes.flatMap(([status, response]) => {
        const schema = Object.values(response.content ?? {})[0]?.schema;
        if (status === '204') return schema ? [`${method} ${path}: a body on 204`] : [];
        if (!schema) return [`${method} ${path}: no schema for ${status}`];
        // The placeholder Nest writes for a return type it cannot see.
        if (Object.keys(schema).length === 1 && schema.type === 'object') return [`${method} ${path}: an empty object schema for ${status}`];
        return [];
      });
    });
    expect(operations().length).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  });

  it('documents every refusal (4XX) as the error envelope', () => {
    const envelopeRef = { $ref: '#/components/schemas/ErrorEnvelope' };
    const missing = operations()
      .filter(({ operation }) => JSON.stringify(operation.responses['4XX']?.content?.['application/json']?.schema) !== JSON.stringify(envelopeRef))
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
    expect(document.components.schemas.ErrorEnvelope).toMatchObject({ required: ['error'], properties: { error: expect.any(Object) } });
  });

  it('documents limit and cursor on every list', () => {
    const pageSchema = (operation: Operation) => {
      const schema = Object.values(operation.responses['200']?.content ?? {})[0]?.schema;
      const ref = typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
      return JSON.stringify(ref ? document.components.schemas[ref] : schema);
    };
    const lists = operations().filter(({ method, operation }) => method === 'GET' && pageSchema(operation)?.includes('nextCursor'));
    const undocumented = lists.flatMap(({ path, operation }) =>
      ['limit', 'cursor'].filter((name) => !operation.parameters?.some((p) => p.in === 'query' && p.name === name)).map((name) => `${path}: ${name}`),
    );
    expect(lists.length).toBeGreaterThanOrEqual(10);
    expect(undocumented).toEqual([]);
  });

  it('resolves every schema reference to a component', () => {
    const refs = new Set(JSON.stringify(document).match(/"#\/components\/schemas\/[^"]+"/g) ?? []);
    const dangling = [...refs].map((ref) => ref.slice('"#/components/schemas/'.length, -1)).filter((name) => !(name in document.components.schemas));
    expect(refs.size).toBeGreaterThan(20);
    expect(dangling).toEqual([]);
  });
});

describe('real answers fit their declared schemas', () => {
  it('apps and keys: create, read, list, rotate, verify', async () => {
    const app = await call('POST', '/v1/apps', { body: { name: uniqueName('app'), scopeCatalog: ['files.read'] } });
    expectDeclaredShape('POST', '/v1/apps', app);
    const appId = (app.json as { id: string }).id;
    expectDeclaredShape('GET', '/v1/apps/{id}', await call('GET', `/v1/apps/${appId}`));
    expectDeclaredShape('GET', '/v1/apps', await call('GET', '/v1/apps'));

    const created = await call('POST', '/v1/keys', {
      body: { appId, name: uniqueName('key'), environment: 'live', scopes: ['files.read'], metadata: { plan: 'pro' }, policy: { rateLimits: { perMinute: 10 } } },
    });
    expect(created.status).toBe(201);
    expectDeclaredShape('POST', '/v1/keys', created);
    const key = created.json as { id: string; secret: string };
    expectDeclaredShape('GET', '/v1/keys/{id}', await call('GET', `/v1/keys/${key.id}`));
    expectDeclaredShape('GET', '/v1/keys', await call('GET', `/v1/keys?appId=${appId}`));

    const verified = await call('POST', '/v1/keys/verify', { body: { key: key.secret, scope: 'files.read' } });
    expect(verified.json).toMatchObject({ valid: true, ratelimit: expect.any(Object) });
    expectDeclaredShape('POST', '/v1/keys/verify', verified);
    expectDeclaredShape('POST', '/v1/keys/verify', await call('POST', '/v1/keys/verify', { body: { key: 'kw_live_unknown0000000000000000000000000000' } }));

    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    expectDeclaredShape('GET', '/v1/usage', await call('GET', `/v1/usage?appId=${appId}&granularity=hour&groupBy=model&${range}`));
    expectDeclaredShape('GET', '/v1/keys/{id}/requests', await call('GET', `/v1/keys/${key.id}/requests`));

    const rotated = await call('POST', `/v1/keys/${key.id}/rotate`, { body: { gracePeriodSeconds: 60 } });
    expectDeclaredShape('POST', '/v1/keys/{id}/rotate', rotated);
    expectDeclaredShape('POST', '/v1/keys/{id}/revoke', await call('POST', `/v1/keys/${key.id}/revoke`));
  });

  it('customers: create, read, suspend, list', async () => {
    const created = await call('POST', '/v1/customers', { body: { externalId: uniqueName('acct'), name: 'Acme', metadata: { tier: 'gold' } } });
    expect(created.status).toBe(201);
    expectDeclaredShape('POST', '/v1/customers', created);
    const { id } = created.json as { id: string };
    expectDeclaredShape('GET', '/v1/customers/{ref}', await call('GET', `/v1/customers/${id}`));
    expectDeclaredShape('POST', '/v1/customers/{ref}/suspend', await call('POST', `/v1/customers/${id}/suspend`));
    expectDeclaredShape('GET', '/v1/customers', await call('GET', '/v1/customers'));
  });

  it('the caller, the audit trail, usage and operations routes', async () => {
    expectDeclaredShape('GET', '/v1/me', await call('GET', '/v1/me'));
    expectDeclaredShape('GET', '/v1/audit', await call('GET', '/v1/audit'));
    expectDeclaredShape('GET', '/v1/admin-keys', await call('GET', '/v1/admin-keys'));
    expectDeclaredShape('GET', '/health/live', await rawRequest(api.baseUrl, '/health/live'));
    expectDeclaredShape('GET', '/health/ready', await rawRequest(api.baseUrl, '/health/ready'));
    const metrics = await rawRequest(api.baseUrl, '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expectDeclaredShape('GET', '/metrics', metrics);
  });

  it('refusals: a validation failure and an unknown id are the documented error envelope', async () => {
    const invalid = await call('POST', '/v1/apps', { body: { name: '' } });
    expect(invalid.status).toBe(400);
    expectDeclaredShape('POST', '/v1/apps', invalid);
    const unknown = await call('GET', '/v1/keys/key_00000000000000000000000000');
    expect(unknown.status).toBe(404);
    expectDeclaredShape('GET', '/v1/keys/{id}', unknown);
  });
});
