import { generateKey } from '@keywarden/core';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  findLeaks,
  issuedSecrets,
  rawRequest,
  registerSecret,
  startApi,
  uniqueName,
} from './harness';

/**
 * An API at LOG_LEVEL=trace goes through a whole lifecycle, failures included, with keys
 * planted everywhere a careless log line could pick them up. Then its log is read.
 */

let api: ApiProcess;
let log: string;
/** x-request-id of every raw request made below. */
const requestIds: string[] = [];
let stopError: unknown;

async function raw(path: string, request: Parameters<typeof rawRequest>[2] = {}) {
  const response = await rawRequest(api.baseUrl, path, request);
  requestIds.push(response.headers.get('x-request-id') as string);
  return response;
}

beforeAll(async () => {
  api = await startApi({ LOG_LEVEL: 'trace' });
  const workspace = await bootstrapWorkspace('logs');
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('logged-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'logged', environment: 'live', scopes: ['generation.create'] });
  const admin = await owner.adminKeys.create({ name: 'logged admin', role: 'developer' });
  const unknown = generateKey('kw', 'live').key;
  registerSecret(unknown);
  const typo = key.secret.slice(0, -1) + (key.secret.endsWith('A') ? 'B' : 'A');

  // Successful calls, each carrying a secret in a header or the body.
  await owner.verifyKey(key.secret, { scope: 'generation.create' });
  await client(api.baseUrl, admin.secret).me();
  await raw('/v1/me', { headers: { 'x-api-key': key.secret } });
  const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 60 });
  await owner.verifyKey(rotated.secret);
  await owner.verifyKey(key.secret);
  await owner.keys.disable(key.id);
  await owner.verifyKey(rotated.secret);
  await owner.keys.enable(key.id);

  // Failures: bad keys in headers, keys in bad bodies, queries and paths.
  await raw('/v1/me', { apiKey: typo });
  await raw('/v1/me', { apiKey: unknown });
  await raw('/v1/me', { headers: { 'x-api-key': 'garbage' } });
  await raw('/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify({ key: key.secret, extra: rotated.secret }) });
  await raw('/v1/keys/verify', { apiKey: workspace.secret, body: `{"key": "${key.secret}"` });
  await raw('/v1/keys/verify', { apiKey: workspace.secret, body: JSON.stringify({ key: typo }) });
  await raw('/v1/keys', { apiKey: workspace.secret, body: JSON.stringify({ appId: app.id, name: key.secret, environment: key.secret, scopes: [key.secret] }) });
  await raw('/v1/keys', { apiKey: workspace.secret, body: JSON.stringify({ [key.secret]: 1 }) });
  await raw(`/v1/keys?cursor=${key.secret}&${rotated.secret}=1`, { apiKey: workspace.secret });
  await raw(`/v1/keys/${key.secret}`, { apiKey: workspace.secret });
  await raw('/v1/apps', { apiKey: workspace.secret, body: key.secret, headers: { 'content-type': 'text/plain' } });
  await raw('/v1/apps', { apiKey: workspace.secret, body: JSON.stringify({ name: key.secret.repeat(2_000) }) });

  // Rotation without grace, revocation, and the dead secrets tried again.
  await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
  await owner.verifyKey(rotated.secret);
  await owner.keys.revoke(key.id);
  await owner.verifyKey(key.secret);
  await owner.adminKeys.revoke(admin.id);
  await raw('/v1/me', { apiKey: admin.secret });

  try {
    await api.stop();
  } catch (error) {
    stopError = error;
  }
  log = api.readLog();
});

afterAll(async () => {
  await api?.stop().catch(() => undefined);
});

it('the API shut down gracefully', () => {
  expect(stopError).toBeUndefined();
});

it('the log contains no issued secret and nothing shaped like a key', () => {
  expect(log.length).toBeGreaterThan(0);
  expect(findLeaks(log, issuedSecrets())).toEqual([]);
});

it('logs are structured JSON lines', () => {
  const lines = log.split('\n').filter((line) => line.trim() !== '');
  // Node's own process warnings (deprecations) are the only plain-text lines allowed.
  const unstructured = lines.filter((line) => !line.startsWith('{') && !/^\(node:\d+\) |^\(Use `node --trace/.test(line));
  expect(unstructured).toEqual([]);
  for (const line of lines.filter((candidate) => candidate.startsWith('{'))) {
    expect(() => JSON.parse(line)).not.toThrow();
  }
});

it('every request is logged once with its request id, method, route and status', () => {
  const completed = log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'request completed');
  expect(completed.length).toBeGreaterThan(30);
  for (const entry of completed) {
    expect(entry).toMatchObject({
      reqId: expect.stringMatching(/^req_[0-9a-z]{26}$/),
      method: expect.any(String),
      status: expect.any(Number),
    });
  }
  const logged = new Set(completed.map((entry) => entry.reqId));
  for (const requestId of requestIds) expect(logged.has(requestId)).toBe(true);
  expect(new Set(completed.map((entry) => entry.reqId)).size).toBe(completed.length);
});
