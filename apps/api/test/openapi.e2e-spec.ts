import { MAX_CONCURRENCY, MAX_POLICY_LIST_ENTRIES, MAX_RATE_LIMIT, MAX_ROTATION_PERIOD_DAYS } from '@keywarden/core';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CustomerPolicyDto } from '../src/customers/dto/customer-policy.dto';
import { AdminKeyPolicyDto, KeyPolicyDto, RateLimitsDto } from '../src/policy/dto/key-policy.dto';
import { type ApiProcess, bootstrapWorkspace, expectErrorEnvelope, type RawResponse, rawRequest, startApi, uniqueName, type Workspace } from './harness';
import { awayFromWindowEdge } from './policy/helpers';

type JsonSchema = Record<string, unknown>;
interface MediaType {
  schema?: JsonSchema;
}
interface Response {
  description?: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }>;
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
}
interface OpenApiDocument {
  openapi: string;
  info: { description?: string };
  paths: Record<string, Record<string, Operation>>;
  security?: Array<Record<string, string[]>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, JsonSchema>; headers?: Record<string, { description: string; schema: JsonSchema }> };
}

let api: ApiProcess;
let workspace: Workspace;
let document: OpenApiDocument;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();
// Request schemas are read as OpenAPI 3.1 reads them: JSON Schema 2020-12.
const ajv2020 = new Ajv2020({ strict: false, allErrors: true });

/** Whether `value` fits the document's schema for `component` (or one of its properties). */
function fitsSchema(value: unknown, component: string, property?: string): boolean {
  const schema = document.components.schemas[component];
  const target = property === undefined ? schema : (schema.properties as Record<string, JsonSchema>)[property];
  if (!target) throw new Error(`${component}${property ? `.${property}` : ''} is not in the OpenAPI document`);
  return ajv2020.validate({ ...target, components: document.components }, value);
}

function propertyOf(component: string, property: string): JsonSchema {
  return (document.components.schemas[component].properties as Record<string, JsonSchema>)[property];
}

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

const MANAGEMENT = [{ bearer: [] }, { 'x-api-key': [] }, { 'console-session': [] }];
const PUBLIC_OPERATIONS = ['GET /health/live', 'GET /health/ready', 'GET /metrics', 'POST /v1/console/sessions', 'DELETE /v1/console/sessions/current', 'POST /v1/portal/exchange', 'DELETE /v1/portal/sessions/current', 'POST /v1/leaks/github'];
/** The portal routes an operator calls (with a key) rather than a portal session. */
const PORTAL_OPERATOR_OPERATIONS = ['POST /v1/portal/sessions'];

/** The security an operation is held to: its own, else the document's. */
function securityOf(operation: Operation): Array<Record<string, string[]>> | undefined {
  return operation.security ?? document.security;
}

describe('security', () => {
  it('declares the console and portal session cookies, with the CSRF header for state-changing calls', () => {
    const schemes = document.components.securitySchemes ?? {};
    expect(schemes['console-session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'kw_console_session', description: expect.stringContaining('x-csrf-token') });
    expect(schemes['portal-session']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'kw_portal_session', description: expect.stringContaining('x-csrf-token') });
  });

  it('takes nothing on public routes, the portal cookie alone on portal routes, a key or a console session elsewhere', () => {
    const declared = operations().map(({ method, path, operation }) => ({ route: `${method} ${path}`, security: securityOf(operation) }));
    const expected = declared.map(({ route }) => ({
      route,
      security: PUBLIC_OPERATIONS.includes(route)
        ? []
        : route.split(' ')[1].startsWith('/v1/portal/') && !PORTAL_OPERATOR_OPERATIONS.includes(route)
          ? [{ 'portal-session': [] }]
          : MANAGEMENT,
    }));
    expect(declared.filter(({ route }) => PUBLIC_OPERATIONS.includes(route))).toHaveLength(PUBLIC_OPERATIONS.length);
    expect(declared).toEqual(expected);
  });

  it('says that /metrics takes the scrape token as a bearer token when one is configured', () => {
    const description = document.paths['/metrics'].get.description;
    expect(description).toContain('KW_METRICS_TOKEN');
    expect(description).toContain('Authorization: Bearer <token>');
  });

  it("documents the GitHub scanning route's signature headers", () => {
    const operation = document.paths['/v1/leaks/github'].post;
    const headers = (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').sort((a, b) => a.name.localeCompare(b.name));
    expect(operation.description).toMatch(/GitHub signs the raw body/);
    expect(headers).toEqual([
      expect.objectContaining({ name: 'github-public-key-identifier', required: true, description: expect.any(String) }),
      expect.objectContaining({ name: 'github-public-key-signature', required: true, description: expect.stringContaining('signature') }),
    ]);
  });
});

describe('rate limits', () => {
  const RATE_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
  const headerRefs = (names: string[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

  it('documents on every route but the public ones a 429 (the error envelope, with Retry-After) and the X-RateLimit-* headers on each answer', () => {
    const declared = operations().map(({ method, path, operation }) => ({
      route: `${method} ${path}`,
      tooMany: operation.responses['429'],
      headers: Object.entries(operation.responses)
        .filter(([status]) => status !== '429')
        .map(([status, response]) => [status, response.headers]),
    }));
    const expected = declared.map(({ route, headers }) =>
      PUBLIC_OPERATIONS.includes(route)
        ? { route, tooMany: undefined, headers: headers.map(([status]) => [status, undefined]) }
        : {
            route,
            tooMany: {
              description: expect.stringContaining('RATE_LIMITED'),
              headers: headerRefs(['Retry-After', ...RATE_HEADERS]),
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
            },
            headers: headers.map(([status]) => [status, headerRefs(RATE_HEADERS)]),
          },
    );
    expect(declared.find(({ route }) => route === 'POST /v1/keys/verify')?.tooMany).toBeDefined();
    expect(declared).toEqual(expected);
    const headers = document.components.headers ?? {};
    expect(Object.keys(headers).sort()).toEqual(['Retry-After', ...RATE_HEADERS].sort());
    expect(headers['X-RateLimit-Reset'].description).toContain('epoch seconds');
    expect(headers['Retry-After'].schema).toEqual({ type: 'integer', minimum: 1 });
  });

  it("a key's used-up rate window is answered as documented: 429, the envelope, Retry-After and the X-RateLimit-* headers", async () => {
    const created = await call('POST', '/v1/admin-keys', { body: { name: uniqueName('limited'), role: 'viewer', policy: { rateLimits: { perMinute: 1 } } } });
    expect(created.status).toBe(201);
    const { secret } = created.json as { secret: string };
    await awayFromWindowEdge(60_000, 5_000);
    expect((await call('GET', '/v1/me', { apiKey: secret })).status).toBe(200);
    const refused = await call('GET', '/v1/me', { apiKey: secret });
    expectErrorEnvelope(refused, { status: 429, code: 'RATE_LIMITED' });
    expectDeclaredShape('GET', '/v1/me', refused);
    const documented = Object.keys(document.paths['/v1/me'].get.responses['429'].headers ?? {});
    expect(documented).toHaveLength(4);
    expect(documented.filter((name) => !/^\d+$/.test(refused.headers.get(name) ?? ''))).toEqual([]);
  });
});

describe('request schemas', () => {
  it('states nullable fields as OpenAPI 3.1 does: no `nullable` keyword, and null fits each of them', () => {
    const nullable: Array<[string, string]> = [
      ['UpdateAppDto', 'portal'],
      ['UpdateAppDto', 'defaultPolicy'],
      ['UpdateKeyDto', 'policy'],
      ['UpdateKeyDto', 'description'],
      ['UpdateKeyDto', 'group'],
      ['UpdateKeyDto', 'expiresAt'],
      ['UpdateKeyDto', 'customerId'],
      ['CreateKeyDto', 'customerId'],
      ['UpdateCustomerDto', 'policy'],
      ['UpdateCustomerDto', 'name'],
      ['UpdateWebhookDto', 'description'],
      ['BulkKeysDto', 'expiresAt'],
    ];
    expect(JSON.stringify(document)).not.toContain('"nullable"');
    expect(nullable.filter(([component, property]) => !fitsSchema(null, component, property))).toEqual([]);
  });

  it('documents that admin keys, leak reports and portal links take exactly one of two fields', () => {
    const cases: Array<[string, JsonSchema, [string, unknown], [string, unknown]]> = [
      ['CreateAdminKeyDto', { name: 'ci' }, ['role', 'viewer'], ['scopes', ['keys.read']]],
      ['ReportLeakDto', {}, ['key', 'kw_live_leaked'], ['keyId', 'key_00000000000000000000000000']],
      ['CreatePortalSessionDto', { permissions: ['keys.read'] }, ['customerId', 'cus_00000000000000000000000000'], ['externalId', 'acct-1']],
    ];
    const verdicts = cases.map(([component, base, [a, aValue], [b, bValue]]) => ({
      component,
      neither: fitsSchema(base, component),
      onlyFirst: fitsSchema({ ...base, [a]: aValue }, component),
      onlySecond: fitsSchema({ ...base, [b]: bValue }, component),
      both: fitsSchema({ ...base, [a]: aValue, [b]: bValue }, component),
    }));
    expect(verdicts).toEqual(cases.map(([component]) => ({ component, neither: false, onlyFirst: true, onlySecond: true, both: false })));
  });

  it('says that GET /v1/usage takes exactly one of appId, keyId and customerId', () => {
    expect(document.paths['/v1/usage'].get.description).toMatch(/exactly one of the query parameters `appId`, `keyId` and `customerId`/);
  });

  it('documents every scope list with its size limits and the scope pattern', () => {
    const lists: Array<[string, string, { minItems?: number; maxItems: number; presets: boolean }]> = [
      ['CreateKeyDto', 'scopes', { minItems: 1, maxItems: 100, presets: true }],
      ['UpdateKeyDto', 'scopes', { minItems: 1, maxItems: 100, presets: true }],
      ['PortalCreateKeyDto', 'scopes', { minItems: 1, maxItems: 100, presets: true }],
      ['CreateAdminKeyDto', 'scopes', { minItems: 1, maxItems: 50, presets: true }],
      ['CreateAppDto', 'scopeCatalog', { maxItems: 200, presets: false }],
      ['UpdateAppDto', 'scopeCatalog', { maxItems: 200, presets: false }],
      ['CreatePortalSessionDto', 'allowedScopes', { maxItems: 100, presets: false }],
    ];
    const documented = lists.map(([component, property]) => {
      const schema = propertyOf(component, property);
      return {
        field: `${component}.${property}`,
        minItems: schema.minItems,
        maxItems: schema.maxItems,
        scopes: ['files.read', 'files.*', '*'].every((scope) => fitsSchema([scope], component, property)),
        preset: fitsSchema(['read'], component, property),
        malformed: ['Files.Read', 'files', 'files.read.all'].some((scope) => fitsSchema([scope], component, property)),
      };
    });
    expect(documented).toEqual(
      lists.map(([component, property, { minItems, maxItems, presets }]) => ({
        field: `${component}.${property}`,
        minItems,
        maxItems,
        scopes: true,
        preset: presets,
        malformed: false,
      })),
    );
  });

  it('closes every request body schema, nested ones too, and says unknown query parameters are refused', () => {
    const referenced = (node: unknown): string[] => (JSON.stringify(node ?? null).match(/#\/components\/schemas\/[A-Za-z0-9_]+/g) ?? []).map((ref) => ref.split('/').pop() as string);
    const bodies = new Set(operations().flatMap(({ operation }) => referenced(operation.requestBody)));
    for (const name of [...bodies]) for (const nested of referenced(document.components.schemas[name])) bodies.add(nested);
    const open = [...bodies].filter((name) => document.components.schemas[name].type === 'object' && document.components.schemas[name].additionalProperties !== false);
    expect(bodies.size).toBeGreaterThan(15);
    expect(open).toEqual([]);
    expect(document.info.description).toMatch(/query parameter .* refused/);
  });

  it('documents every limit query parameter as an integer', () => {
    const limits = operations().flatMap(({ method, path, operation }) =>
      (operation.parameters ?? []).filter((parameter) => parameter.name === 'limit').map((parameter) => ({ route: `${method} ${path}`, type: parameter.schema?.type })),
    );
    expect(limits.length).toBeGreaterThanOrEqual(10);
    expect(limits.filter(({ type }) => type !== 'integer')).toEqual([]);
  });

  it("documents a customer's externalId with its pattern and length", () => {
    expect(propertyOf('CreateCustomerDto', 'externalId')).toMatchObject({ pattern: expect.any(String), minLength: 1, maxLength: 128 });
    expect(['acct_42', 'a@b.c'].map((externalId) => fitsSchema({ externalId }, 'CreateCustomerDto'))).toEqual([true, true]);
    expect(['has space', 'x'.repeat(129), 'cus_00000000000000000000000000'].map((externalId) => fitsSchema({ externalId }, 'CreateCustomerDto'))).toEqual([false, false, false]);
  });

  it("documents verify's answer codes as the closed list, and what the body's policy fields do", () => {
    const verify = document.paths['/v1/keys/verify'].post;
    const answer = Object.values(verify.responses['200'].content ?? {})[0].schema as { properties: Record<string, JsonSchema> };
    expect(answer.properties.code.enum).toEqual([
      'VALID',
      'UNAUTHORIZED',
      'KEY_REVOKED',
      'KEY_EXPIRED',
      'KEY_DISABLED',
      'INSUFFICIENT_PERMISSIONS',
      'IP_NOT_ALLOWED',
      'MODEL_NOT_ALLOWED',
      'RATE_LIMITED',
      'USAGE_EXCEEDED',
    ]);
    const body = Object.values(verify.requestBody?.content ?? {})[0].schema as { properties: Record<string, JsonSchema> };
    expect(body.properties.ip.description).toContain('a verify without it is refused');
    expect(body.properties.model.description).toContain('a verify without it is refused');
    expect(body.properties.cost.description).toContain('daily spend cap');
  });

  it("documents each policy field's bounds, as its validator enforces them at both edges", () => {
    const window = { minimum: 1, maximum: MAX_RATE_LIMIT };
    const list = { maxItems: MAX_POLICY_LIST_ENTRIES };
    const concurrency = { minimum: 1, maximum: MAX_CONCURRENCY };
    const rotation = { minimum: 1, maximum: MAX_ROTATION_PERIOD_DAYS };
    const spend = { minimum: 0, maximum: 1_000_000_000 };
    const policies: Array<[Function, Record<string, Record<string, number>>]> = [
      [RateLimitsDto, { perMinute: window, perHour: window, perDay: window, burst: window }],
      [AdminKeyPolicyDto, { ipAllowlist: list, rotationPeriodDays: rotation }],
      [KeyPolicyDto, { ipAllowlist: list, rotationPeriodDays: rotation, concurrency, allowedModels: list, dailySpendLimit: spend }],
      [CustomerPolicyDto, { concurrency, dailySpendLimit: spend }],
    ];
    const BOUNDS = ['minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength'];
    /** Each property's bound keywords, as the document states them. */
    const propertiesOf = (component: string): Record<string, Record<string, number | undefined>> =>
      Object.fromEntries(
        Object.entries(document.components.schemas[component].properties as Record<string, JsonSchema>).map(([name, schema]) => [
          name,
          Object.fromEntries(BOUNDS.filter((bound) => bound in schema).map((bound) => [bound, schema[bound] as number])),
        ]),
      );
    const documented = policies.map(([dto]) => [dto.name, Object.fromEntries(Object.entries(propertiesOf(dto.name)).filter(([, bounds]) => Object.keys(bounds).length > 0))]);
    expect(documented).toEqual(policies.map(([dto, bounds]) => [dto.name, bounds]));

    // The document's edges against the validator itself: each edge passes, one step beyond is refused.
    const entries = (property: string, count: number) => Array.from({ length: count }, (_, i) => (property === 'ipAllowlist' ? `10.0.${Math.floor(i / 256)}.${i % 256}` : `model-${i}`));
    const accepts = (dto: Function, property: string, value: unknown) =>
      !validateSync(plainToInstance(dto as new () => object, { [property]: value })).some((error) => error.property === property);
    const verdicts = policies.flatMap(([dto]) =>
      Object.entries(propertiesOf(dto.name)).flatMap(([property, { minimum, maximum, maxItems }]) => {
        if (minimum === undefined && maxItems === undefined) return [];
        const inside = maxItems === undefined ? [minimum, maximum] : [entries(property, maxItems as number)];
        const beyond = maxItems === undefined ? [(minimum as number) - 1, (maximum as number) + 1] : [entries(property, (maxItems as number) + 1)];
        return [{ field: `${dto.name}.${property}`, inside: inside.map((value) => accepts(dto, property, value)), beyond: beyond.map((value) => accepts(dto, property, value)) }];
      }),
    );
    expect(verdicts).toEqual(verdicts.map(({ field, inside, beyond }) => ({ field, inside: inside.map(() => true), beyond: beyond.map(() => false) })));
  });

  it('documents business hours that span midnight, which the API accepts', async () => {
    expect(propertyOf('BusinessHoursDto', 'end').description).toContain('earlier than start for hours that span midnight');
    const app = await call('POST', '/v1/apps', { body: { name: uniqueName('night-shift'), businessHours: { days: ['mon'], start: '22:00', end: '06:00' } } });
    expect(app.status).toBe(201);
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

  it("a portal key revocation, with the propagation of the admin route's answer", async () => {
    const app = await call('POST', '/v1/apps', { body: { name: uniqueName('portal-app'), scopeCatalog: ['files.read'] } });
    const appId = (app.json as { id: string }).id;
    const customer = await call('POST', '/v1/customers', { body: { externalId: uniqueName('portal-acct') } });
    const customerId = (customer.json as { id: string }).id;
    const key = await call('POST', '/v1/keys', { body: { appId, customerId, name: uniqueName('key'), environment: 'live', scopes: ['files.read'] } });
    const link = await call('POST', '/v1/portal/sessions', { body: { customerId, permissions: ['keys.revoke'] } });
    const token = /#token=([A-Za-z0-9_-]+)$/.exec((link.json as { url: string }).url)?.[1] ?? '';
    const exchanged = await rawRequest(api.baseUrl, '/v1/portal/exchange', { body: JSON.stringify({ token }) });
    const cookie = /^([^;]+)/.exec(exchanged.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const me = await rawRequest(api.baseUrl, '/v1/portal/me', { headers: { cookie } });
    const csrfToken = (me.json as { csrfToken: string }).csrfToken;

    const revoked = await rawRequest(api.baseUrl, `/v1/portal/keys/${(key.json as { id: string }).id}/revoke`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ status: 'revoked', propagation: expect.any(Object) });
    expectDeclaredShape('POST', '/v1/portal/keys/{id}/revoke', revoked);
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
