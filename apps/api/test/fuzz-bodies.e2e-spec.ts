import fc from 'fast-check';
import { type ApiProcess, bootstrapWorkspace, client, rawRequest, startApi, uniqueName, type Workspace } from './harness';

/**
 * Every POST and PATCH route of the OpenAPI document gets bodies built from its own
 * field names with hostile values (null, wrong types, NUL bytes, unpaired surrogates,
 * deep nesting, huge numbers, prototype keys). Whatever it is sent, the API never
 * answers 5xx. The seed is fixed so a failure replays; KW_FUZZ_SEED picks another.
 */

const SEED = Number(process.env.KW_FUZZ_SEED ?? 17);
const RUNS_PER_ROUTE = Number(process.env.KW_FUZZ_RUNS ?? 40);

interface Route {
  method: string;
  path: string;
  fields: string[];
}

let api: ApiProcess;
let workspace: Workspace;
let routes: Route[] = [];
const ids: Record<string, string> = {};

/**
 * A value nested `depth` levels deep. JSON.stringify would recurse that deep itself, so
 * the value is a placeholder string that `serialize` swaps for the nested text.
 */
const deepTexts: string[] = [];
function nested(depth: number, leaf: unknown, asArray: boolean): string {
  const leafText = JSON.stringify(leaf) ?? 'null';
  deepTexts.push(asArray ? `${'['.repeat(depth)}${leafText}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leafText}${'}'.repeat(depth)}`);
  return `@@deep${deepTexts.length - 1}@@`;
}

function serialize(body: unknown): string {
  return (JSON.stringify(body) ?? 'null').replace(/"@@deep(\d+)@@"/g, (_, index: string) => deepTexts[Number(index)]);
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '__proto__', 'constructor', '', ' ', 'app_' + '0'.repeat(26)),
  fc.string().map((text) => `${text}\u0000`),
  fc.string().map((text) => `${text}\ud800`),
  fc.constant('x'.repeat(10_000)),
);

const hostileScalar = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 2, arbitrary: fc.dictionary(hostileString, hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 20, max: 5_000 }), hostileScalar, fc.boolean()).map(([d, leaf, a]) => nested(d, leaf, a)) },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** An object made of the route's own field names (so validators are reached), with hostile values. */
function bodyFor(route: Route): fc.Arbitrary<unknown> {
  const fields = route.fields.length > 0 ? route.fields : ['name'];
  const known = fc.dictionary(fc.constantFrom(...fields), hostileValue, { maxKeys: fields.length });
  return fc.oneof(
    { weight: 3, arbitrary: known },
    { weight: 3, arbitrary: known.map((fields) => ({ ...validBody(route), ...fields })) },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.tuple(known, fc.dictionary(hostileString, hostileValue, { maxKeys: 2 })).map(([a, b]) => ({ ...b, ...a })) },
  );
}

/** A body each route accepts, so a single hostile field reaches the code behind the validators. */
function validBody(route: Route): Record<string, unknown> {
  const valid: Record<string, Record<string, unknown>> = {
    'POST /v1/apps': { name: uniqueName('fuzz') },
    'POST /v1/keys': { appId: ids.appId, name: 'k', environment: 'live', scopes: ['generation.create'] },
    'POST /v1/keys/verify': { key: 'kw_live_000000000000000000000000000000000000' },
    'POST /v1/admin-keys': { name: 'a', role: 'viewer' },
    'POST /v1/usage': { events: [{ keyId: ids.id, model: 'm', units: 1, cost: 0, timestamp: new Date().toISOString(), requestId: 'r' }] },
    'POST /v1/webhooks': { appId: ids.appId, url: 'https://example.com/hook' },
  };
  return { ...(valid[`${route.method} ${route.path}`] ?? {}) };
}

function fieldsOf(schema: { $ref?: string; properties?: Record<string, unknown> } | undefined, components: Record<string, { properties?: Record<string, unknown> }>): string[] {
  if (!schema) return [];
  const resolved = schema.$ref ? components[schema.$ref.split('/').pop() as string] : schema;
  return Object.keys(resolved?.properties ?? {});
}

function concretePath(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? `x_${name}`);
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('fuzz');
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('fuzz-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'fuzzed', environment: 'live', scopes: ['generation.create'] });
  const webhook = await owner.webhooks.create({ appId: app.id, url: 'https://example.com/hook' });
  ids.id = key.id;
  ids.appId = app.id;
  ids.did = 'whd_00000000000000000000000000';
  ids.leaseId = 'lease_00000000000000000000000000';
  const document = (await rawRequest(api.baseUrl, '/docs-json')).json as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method !== 'post' && method !== 'patch') continue;
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      routes.push({ method: method.toUpperCase(), path, fields: fieldsOf(schema, document.components.schemas) });
    }
  }
  // Routes on apps and webhooks take their own ids.
  routes = routes.map((route) => ({
    ...route,
    path: route.path.startsWith('/v1/apps/') ? route.path.replace('{id}', app.id) : route.path.startsWith('/v1/webhooks/') ? route.path.replace('{id}', webhook.id) : route.path,
  }));
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

it('knows every POST and PATCH route of the API', () => {
  expect(routes.length).toBeGreaterThanOrEqual(19);
});

/** Each field alone with each value the probe found answered 500, on every route. */
const CORPUS: unknown[] = [null, 'a\u0000b', 'x\ud800', '\udc00', nested(5_000, 1, true), nested(5_000, 'x', false), { k: 'a\u0000' }, ['\ud800']];

it('answers the corpus (null, NUL, unpaired surrogates, 5,000 levels) without a 5xx on every field of every route', async () => {
  const failures: string[] = [];
  for (const route of routes) {
    for (const field of route.fields.length > 0 ? route.fields : ['name']) {
      for (const value of CORPUS) {
        const text = serialize({ ...validBody(route), [field]: value });
        const response = await rawRequest(api.baseUrl, concretePath(route.path), { method: route.method, apiKey: workspace.secret, body: text });
        if (response.status >= 500) failures.push(`${route.method} ${route.path} ${response.status} ${text.slice(0, 120)}`);
      }
    }
    const deep = await rawRequest(api.baseUrl, concretePath(route.path), { method: route.method, apiKey: workspace.secret, body: serialize(nested(5_000, 1, false)) });
    if (deep.status >= 500) failures.push(`${route.method} ${route.path} ${deep.status} whole body 5,000 levels deep`);
  }
  expect(failures).toEqual([]);
}, 300_000);

it('never answers 5xx to any body on any POST or PATCH route', async () => {
  const failures: string[] = [];
  for (const route of routes) {
    // fc.check reports instead of throwing: every route is fuzzed, and failures collected.
    const outcome = await fc.check(
      fc.asyncProperty(bodyFor(route), async (body) => {
        const text = serialize(body);
        const response = await rawRequest(api.baseUrl, concretePath(route.path), { method: route.method, apiKey: workspace.secret, body: text });
        if (response.status >= 500) {
          failures.push(`${route.method} ${route.path} ${response.status} ${text.slice(0, 200)}`);
          return false;
        }
        return true;
      }),
      { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    if (outcome.errorInstance) failures.push(`${route.method} ${route.path} threw ${String(outcome.errorInstance)}`);
  }
  expect(failures).toEqual([]);
}, 300_000);
