import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  eventually,
  expectErrorEnvelope,
  rawRequest,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * POST /v1/keys/verify is a plain Fastify route beside Nest. What it owes beyond the
 * verify answers the other suites pin: its OpenAPI entry, its log policy (refusals and
 * errors at info, admitted verifies at debug unless sampled) and a metric for every call.
 */

let api: ApiProcess;
let workspace: Workspace;

interface LogEntry {
  level: number;
  msg: string;
  reqId?: string;
  code?: string;
  status?: number;
}

const INFO = 30;

beforeAll(async () => {
  // Sampling off: an admitted verify is never logged at info.
  api = await startApi({ LOG_LEVEL: 'info', KW_VERIFY_LOG_SAMPLE_RATE: '0' });
  workspace = await bootstrapWorkspace('verify-route');
});

afterAll(async () => {
  await api?.stop();
});

async function verify(body: unknown) {
  return rawRequest(api.baseUrl, '/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify(body) });
}

function completedLines(): LogEntry[] {
  return api
    .readLog()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEntry)
    .filter((entry) => entry.msg === 'request completed');
}

function verifyCount(metrics: string, code: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`kw_verify_requests_total{code="${code}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

it('is documented in the OpenAPI document with its request and response schemas', async () => {
  const document = (await rawRequest(api.baseUrl, '/docs-json')).json as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> }; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>>;
  };
  const operation = document.paths['/v1/keys/verify']?.post;
  expect(operation?.requestBody?.content['application/json'].schema.required).toEqual(['key']);
  expect(Object.keys(operation?.responses['200'].content?.['application/json'].schema.properties ?? {})).toEqual(
    expect.arrayContaining(['valid', 'code', 'keyId', 'ratelimit']),
  );
});

it('carries the caller rate-limit headers and its request id, as every authenticated route does', async () => {
  const response = await verify({ key: 'kw_live_not_a_real_key' });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  expect(Number(response.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
  expect(response.headers.get('x-ratelimit-remaining')).not.toBeNull();
});

it('authenticates the caller before it reads the body: no key and a bad body is a 401', async () => {
  const response = await rawRequest(api.baseUrl, '/v1/keys/verify', { body: JSON.stringify({ key: 'x', cost: -1 }) });
  expectErrorEnvelope(response, { status: 401, code: 'UNAUTHORIZED' });
});

it('a bad body from an authenticated caller is a 400 carrying its rate-limit headers', async () => {
  const response = await verify({ key: 'x', cost: -1 });
  expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  expect(Number(response.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
});

it.each([0.0000001, 1.2345678])('refuses a cost of more than 6 decimals (%s): money is stored exactly, not rounded', async (cost) => {
  expectErrorEnvelope(await verify({ key: 'x', cost }), { status: 400, code: 'VALIDATION_FAILED', message: /cost must be a decimal amount with at most 6 decimals/ });
});

it('logs a refused verify and a failed call at info, an admitted one not at info, and counts all three', async () => {
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('verify-route-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'logged', environment: 'live', scopes: ['generation.create'] });
  const before = (await rawRequest(api.baseUrl, '/metrics')).text;

  const admitted = await verify({ key: key.secret });
  expect(admitted.json).toMatchObject({ valid: true, code: 'VALID' });
  await owner.keys.revoke(key.id);
  const refused = await verify({ key: key.secret });
  expect(refused.json).toMatchObject({ valid: false, code: 'KEY_REVOKED' });
  const failed = await verify({ key: key.secret, unexpected: true });
  expectErrorEnvelope(failed, { status: 400, code: 'VALIDATION_FAILED' });

  const after = (await rawRequest(api.baseUrl, '/metrics')).text;
  expect(verifyCount(after, 'VALID') - verifyCount(before, 'VALID')).toBe(1);
  expect(verifyCount(after, 'KEY_REVOKED') - verifyCount(before, 'KEY_REVOKED')).toBe(1);
  expect(verifyCount(after, 'VALIDATION_FAILED') - verifyCount(before, 'VALIDATION_FAILED')).toBe(1);

  // A line is written after its answer: wait for the last call's. Lines are written in
  // the order the answers were, so the admitted verify's would be there by then.
  const failedId = failed.headers.get('x-request-id') as string;
  const byRequestId = await eventually(
    async () => {
      const lines = new Map(completedLines().map((entry) => [entry.reqId, entry]));
      expect(lines.get(failedId)).toMatchObject({ level: INFO, status: 400 });
      return lines;
    },
    { timeoutMs: 5_000, intervalMs: 50 },
  );
  expect(byRequestId.get(refused.headers.get('x-request-id') as string)).toMatchObject({ level: INFO, code: 'KEY_REVOKED', status: 200 });
  expect(byRequestId.has(admitted.headers.get('x-request-id') as string)).toBe(false);
});
