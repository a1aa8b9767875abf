import {
  type App,
  type Keywarden,
  type KeyEventData,
  verifyWebhook,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WithWebhookSecret,
} from '@keywarden/sdk';
import { Webhook } from 'standardwebhooks';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  issuedSecrets,
  KEY_SHAPE,
  rawRequest,
  type ReceivedWebhook,
  startApi,
  uniqueName,
  WEBHOOK_SECRET_SHAPE,
  WebhookReceiver,
  type Workspace,
} from './harness';

/**
 * Webhooks end to end: routes on a real API, events from key changes through the outbox,
 * the run's worker (retry schedule shrunk to 200 ms, private targets allowed) delivering
 * signed requests to a real HTTP receiver in this process.
 */

const CONVERGE = { timeoutMs: 15_000, intervalMs: 100 };

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let receiver: WebhookReceiver;
let app: App;

type Endpoint = WebhookEndpoint & WithWebhookSecret;

async function newEndpoint(path: string, extra: { eventTypes?: Endpoint['eventTypes']; appId?: string } = {}): Promise<Endpoint> {
  return owner.webhooks.create({ appId: extra.appId ?? app.id, url: `${receiver.baseUrl}${path}`, eventTypes: extra.eventTypes });
}

function newKey(appId = app.id) {
  return owner.keys.create({ appId, name: uniqueName('hooked'), environment: 'live', scopes: ['generation.create'] });
}

function payloadOf(request: ReceivedWebhook): { type: string; timestamp: string; data: Record<string, unknown> } {
  return JSON.parse(request.body);
}

/** Waits for `count` requests at `path` and returns them. */
function received(path: string, count = 1): Promise<ReceivedWebhook[]> {
  return eventually(async () => {
    const requests = receiver.at(path);
    expect(requests.length).toBeGreaterThanOrEqual(count);
    return requests;
  }, CONVERGE);
}

async function settledDelivery(endpointId: string, status: WebhookDelivery['status'] = 'succeeded'): Promise<WebhookDelivery> {
  return eventually(async () => {
    const [delivery] = (await owner.webhooks.deliveries(endpointId)).data;
    expect(delivery?.status).toBe(status);
    return delivery;
  }, CONVERGE);
}

function headersOf(request: ReceivedWebhook): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
}

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  api = await startApi();
  workspace = await bootstrapWorkspace('webhooks');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('hooks-app'), scopeCatalog: ['generation.create'] });
});

afterAll(async () => {
  await api?.stop();
  await receiver?.stop();
});

describe('endpoints', () => {
  it('shows the whsec_ secret once, at creation, and never on reads', async () => {
    const endpoint = await newEndpoint('/once');
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await owner.webhooks.get(endpoint.id);
    expect(JSON.stringify(read)).not.toContain('whsec_');
    expect(read).toEqual({ ...endpoint, secret: undefined, updatedAt: read.updatedAt });
    const listed = await owner.webhooks.list({ appId: app.id });
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    await owner.webhooks.delete(endpoint.id);
  });

  it('updates url, description and event types, and keeps them', async () => {
    const endpoint = await newEndpoint('/edit');
    const updated = await owner.webhooks.update(endpoint.id, {
      url: `${receiver.baseUrl}/edited`,
      description: 'ops pager',
      eventTypes: ['key.revoked'],
    });
    expect(updated).toMatchObject({ url: `${receiver.baseUrl}/edited`, description: 'ops pager', eventTypes: ['key.revoked'] });
    expect(await owner.webhooks.get(endpoint.id)).toMatchObject({ description: 'ops pager', eventTypes: ['key.revoked'] });
    expect((await owner.webhooks.update(endpoint.id, { description: null })).description).toBeNull();
    await owner.webhooks.delete(endpoint.id);
  });

  it('disables and re-enables on request, with the reason visible', async () => {
    const endpoint = await newEndpoint('/toggle');
    const disabled = await owner.webhooks.update(endpoint.id, { enabled: false });
    // The console disables through the same PATCH: the message names no channel.
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'manual', disabledMessage: 'Disabled manually', disabledAt: expect.any(String) });
    const enabled = await owner.webhooks.update(endpoint.id, { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledMessage: null, disabledAt: null });
    await owner.webhooks.delete(endpoint.id);
  });

  it('deletes an endpoint: it is then 404', async () => {
    const endpoint = await newEndpoint('/deleted');
    await owner.webhooks.delete(endpoint.id);
    await expectApiError(owner.webhooks.get(endpoint.id), { status: 404, code: 'NOT_FOUND', message: 'Webhook endpoint not found' });
  });

  it('records every management action in the audit log', async () => {
    const endpoint = await newEndpoint('/audited');
    await owner.webhooks.rotateSecret(endpoint.id);
    await owner.webhooks.delete(endpoint.id);
    const actions = (await owner.audit.list({ targetId: endpoint.id })).data.map((entry) => entry.action);
    expect(actions).toEqual(['webhook.deleted', 'webhook.secret_rotated', 'webhook.created']);
    expect(JSON.stringify(await owner.audit.list({ targetId: endpoint.id }))).not.toMatch(WEBHOOK_SECRET_SHAPE);
  });
});

describe('delivery', () => {
  it('delivers key.created, signed so that the standardwebhooks package and verifyWebhook accept it', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('created-app') });
    const endpoint = await newEndpoint('/created', { appId: hookApp.id });
    const key = await newKey(hookApp.id);
    const [request] = await received('/created');
    const headers = headersOf(request);
    expect(new Webhook(endpoint.secret).verify(request.body, headers)).toEqual(JSON.parse(request.body));
    const payload = verifyWebhook<KeyEventData>(request.body, headers, endpoint.secret);
    expect(payload).toEqual({
      type: 'key.created',
      timestamp: expect.any(String),
      data: { keyId: key.id, appId: hookApp.id, environment: 'live', name: key.name, prefix: key.prefix, customerId: null },
    });
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-z]{26}$/);
    expect(headers['content-type']).toBe('application/json');
  });

  it('delivers key.rotated and key.revoked, only the types an endpoint subscribed to', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('lifecycle-app') });
    const all = await newEndpoint('/lifecycle-all', { appId: hookApp.id });
    await newEndpoint('/lifecycle-revoked', { appId: hookApp.id, eventTypes: ['key.revoked'] });
    const key = await newKey(hookApp.id);
    const rotated = await owner.keys.rotate(key.id, { gracePeriodSeconds: 0 });
    await owner.keys.revoke(key.id);
    const requests = await received('/lifecycle-all', 3);
    const types = requests.map((request) => verifyWebhook(request.body, headersOf(request), all.secret).type);
    expect(types.sort()).toEqual(['key.created', 'key.revoked', 'key.rotated']);
    const rotatedEvent = requests.map(payloadOf).find((payload) => payload.type === 'key.rotated');
    expect(rotatedEvent?.data.prefix).toBe(rotated.prefix);
    const [revokedOnly] = await received('/lifecycle-revoked');
    expect(payloadOf(revokedOnly).type).toBe('key.revoked');
    expect(receiver.at('/lifecycle-revoked')).toHaveLength(1);
  });

  it('emits key.revoked for every key an app deletion revokes', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('doomed-app') });
    await newEndpoint('/app-deleted', { appId: hookApp.id, eventTypes: ['key.revoked'] });
    const keys = [await newKey(hookApp.id), await newKey(hookApp.id)];
    await owner.apps.delete(hookApp.id);
    const requests = await received('/app-deleted', 2);
    expect(requests.map((request) => payloadOf(request).data.keyId).sort()).toEqual(keys.map((key) => key.id).sort());
  });

  it('a new URL ends the failing streak of the old receiver, and the same URL keeps it', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('moving-app') });
    receiver.script('/moving-old', Array.from({ length: 20 }, () => ({ status: 500 })));
    const endpoint = await newEndpoint('/moving-old', { appId: hookApp.id });
    await newKey(hookApp.id);
    await eventually(async () => expect((await owner.webhooks.get(endpoint.id)).failingSince).not.toBeNull(), CONVERGE);
    const failingSince = (await owner.webhooks.get(endpoint.id)).failingSince;

    const sameUrl = await owner.webhooks.update(endpoint.id, { url: endpoint.url, description: 'same receiver' });
    expect(sameUrl.failingSince).toBe(failingSince);
    const moved = await owner.webhooks.update(endpoint.id, { url: `${receiver.baseUrl}/moving-new` });
    expect(moved.failingSince).toBeNull();
    await owner.webhooks.delete(endpoint.id);
  });

  it('retries a failing receiver and, once it recovers, delivers exactly once', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('flaky-app') });
    receiver.script('/flaky', [{ status: 500, body: 'down' }, { status: 502 }]);
    const endpoint = await newEndpoint('/flaky', { appId: hookApp.id });
    await newKey(hookApp.id);
    const delivery = await settledDelivery(endpoint.id);
    const requests = receiver.at('/flaky');
    expect(requests.map((request) => request.answeredWith)).toEqual([500, 502, 200]);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(delivery.attemptLog.map((attempt) => attempt.statusCode)).toEqual([500, 502, 200]);
    expect(delivery.attemptLog[0]).toMatchObject({ responseBody: 'down', error: null, latencyMs: expect.any(Number) });
    expect((await owner.webhooks.get(endpoint.id)).failingSince).toBeNull();
  });

  it('keeps only the first KiB of a response body on the attempt', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('chatty-app') });
    receiver.script('/chatty', [{ status: 200, body: 'x'.repeat(5000) }]);
    const endpoint = await newEndpoint('/chatty', { appId: hookApp.id });
    await newKey(hookApp.id);
    const delivery = await settledDelivery(endpoint.id);
    expect(delivery.attemptLog[0].responseBody).toBe('x'.repeat(1024));
  });

  it('records a binary response body without its NUL bytes', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('binary-app') });
    receiver.script('/binary', [{ status: 200, body: 'a\u0000b' }]);
    const endpoint = await newEndpoint('/binary', { appId: hookApp.id });
    await newKey(hookApp.id);
    const delivery = await settledDelivery(endpoint.id);
    expect(delivery.attemptLog[0].responseBody).toBe('ab');
  });

  it('disables the endpoint on 410 Gone, with the reason visible, and sends nothing more', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('gone-app') });
    receiver.script('/gone', [{ status: 410 }]);
    const endpoint = await newEndpoint('/gone', { appId: hookApp.id });
    await newKey(hookApp.id);
    await settledDelivery(endpoint.id, 'failed');
    const disabled = await owner.webhooks.get(endpoint.id);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'gone', disabledMessage: expect.stringContaining('410 Gone') });
    // A witness endpoint subscribed afterwards receives the next event: by then the
    // disabled endpoint would have had its delivery too.
    await newEndpoint('/gone-witness', { appId: hookApp.id });
    const next = await newKey(hookApp.id);
    await eventually(async () => {
      expect(receiver.at('/gone-witness').map((request) => payloadOf(request).data.keyId)).toContain(next.id);
    }, CONVERGE);
    expect((await owner.webhooks.deliveries(endpoint.id)).data).toHaveLength(1);
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('waits as long as Retry-After asks on 429', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('busy-app') });
    receiver.script('/busy', [{ status: 429, headers: { 'retry-after': '2' } }]);
    const endpoint = await newEndpoint('/busy', { appId: hookApp.id });
    await newKey(hookApp.id);
    await settledDelivery(endpoint.id);
    const [first, second] = receiver.at('/busy');
    // The schedule alone would retry after ~200 ms.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1_900);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('moved-app') });
    receiver.script('/moved', [{ status: 302, headers: { location: `${receiver.baseUrl}/moved-target` } }]);
    const endpoint = await newEndpoint('/moved', { appId: hookApp.id });
    await newKey(hookApp.id);
    const delivery = await settledDelivery(endpoint.id);
    expect(delivery.attemptLog.map((attempt) => attempt.statusCode)).toEqual([302, 200]);
    expect(receiver.at('/moved-target')).toHaveLength(0);
  });

  it('signs with both the old and the new secret after a rotation', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('rotating-app') });
    const endpoint = await newEndpoint('/rotating', { appId: hookApp.id });
    const rotated = await owner.webhooks.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt as string) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    await newKey(hookApp.id);
    const [request] = await received('/rotating');
    const headers = headersOf(request);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(endpoint.secret).verify(request.body, headers)).toBeTruthy();
    expect(new Webhook(rotated.secret).verify(request.body, headers)).toBeTruthy();
    expect(verifyWebhook(request.body, headers, rotated.secret).type).toBe('key.created');
  });

  it('keeps signing with the first secret for its 24 hours when the secret is rotated again meanwhile', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('rotated-twice-app') });
    const endpoint = await newEndpoint('/rotated-twice', { appId: hookApp.id });
    const first = await owner.webhooks.rotateSecret(endpoint.id);
    const second = await owner.webhooks.rotateSecret(endpoint.id);
    expect(Date.parse(second.previousSecretExpiresAt as string)).toBeGreaterThanOrEqual(Date.parse(first.previousSecretExpiresAt as string));
    await newKey(hookApp.id);
    const [request] = await received('/rotated-twice');
    const headers = headersOf(request);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(3);
    // A receiver that has not switched yet, one that switched to the first new secret, and one on the latest.
    for (const secret of [endpoint.secret, first.secret, second.secret]) {
      expect(new Webhook(secret).verify(request.body, headers)).toBeTruthy();
      expect(verifyWebhook(request.body, headers, secret).type).toBe('key.created');
    }
  });

  it('redelivers a delivered event on request, with the same webhook-id', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('again-app') });
    const endpoint = await newEndpoint('/again', { appId: hookApp.id });
    await newKey(hookApp.id);
    const delivery = await settledDelivery(endpoint.id);
    const redelivered = await owner.webhooks.redeliver(endpoint.id, delivery.id);
    expect(redelivered).toMatchObject({ id: delivery.id, status: 'pending' });
    const [first, second] = await received('/again', 2);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    await eventually(async () => {
      const [again] = (await owner.webhooks.deliveries(endpoint.id)).data;
      expect({ status: again.status, attempts: again.attempts }).toEqual({ status: 'succeeded', attempts: 2 });
    }, CONVERGE);
  });

  it('sends a test event to that endpoint only', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('test-app') });
    const target = await newEndpoint('/tested', { appId: hookApp.id });
    const other = await newEndpoint('/not-tested', { appId: hookApp.id });
    const delivery = await owner.webhooks.test(target.id);
    expect(delivery).toMatchObject({ endpointId: target.id, eventType: 'webhook.test', status: 'pending' });
    const [request] = await received('/tested');
    expect(verifyWebhook(request.body, headersOf(request), target.secret)).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: target.id },
    });
    expect(request.headers['webhook-id']).toBe(delivery.eventId);
    // A later event of the app reaches the other endpoint: had the test event been fanned
    // out too, its delivery would have been created no later than this one.
    await newKey(hookApp.id);
    const [later] = await received('/not-tested');
    expect(payloadOf(later).type).toBe('key.created');
    expect((await owner.webhooks.deliveries(other.id)).data.map((each) => each.eventType)).toEqual(['key.created']);
  });

  it('lists deliveries newest first, page by page, filtered by status', async () => {
    const hookApp = await owner.apps.create({ name: uniqueName('listed-app') });
    const endpoint = await newEndpoint('/listed', { appId: hookApp.id });
    for (let i = 0; i < 3; i++) await owner.webhooks.test(endpoint.id);
    await received('/listed', 3);
    const first = await owner.webhooks.deliveries(endpoint.id, { limit: 2 });
    expect(first.data).toHaveLength(2);
    const second = await owner.webhooks.deliveries(endpoint.id, { limit: 2, cursor: first.nextCursor as string });
    expect(second).toMatchObject({ nextCursor: null });
    const ids = [...first.data, ...second.data].map((delivery) => delivery.id);
    expect(ids).toEqual([...ids].sort().reverse());
    await eventually(async () => {
      expect((await owner.webhooks.deliveries(endpoint.id, { status: 'succeeded' })).data).toHaveLength(3);
    }, CONVERGE);
    expect((await owner.webhooks.deliveries(endpoint.id, { status: 'failed' })).data).toHaveLength(0);
  });

  it('refuses to test or redeliver on a disabled endpoint: 409', async () => {
    const endpoint = await newEndpoint('/off');
    const delivery = await owner.webhooks.test(endpoint.id);
    await owner.webhooks.update(endpoint.id, { enabled: false });
    const refusal = { status: 409, code: 'CONFLICT', message: 'Webhook endpoint is disabled; enable it first' } as const;
    await expectApiError(owner.webhooks.test(endpoint.id), refusal);
    await expectApiError(owner.webhooks.redeliver(endpoint.id, delivery.id), refusal);
    await owner.webhooks.delete(endpoint.id);
  });
});

describe('bad input', () => {
  const path = '/v1/webhooks';

  it.each([
    ['a non-http URL', { url: 'ftp://example.com/hook' }, 'url'],
    ['a URL with credentials', { url: 'https://user:pass@example.com/hook' }, 'url'],
    ['a relative URL', { url: '/hook' }, 'url'],
    ['a URL longer than 2048 characters', { url: `https://example.com/${'a'.repeat(2048)}` }, 'url'],
    ['a URL to port 0', { url: 'http://example.com:0/hook' }, 'url'],
    ['a host with an empty label, which no DNS name has', { url: 'https://a..b/hook' }, 'url'],
    ['a host that starts with a dot', { url: 'https://.example.com/hook' }, 'url'],
    ['a host label over 63 characters', { url: `https://${'a'.repeat(64)}.example.com/hook` }, 'url'],
    ['a URL with a line break the URL parser would drop', { url: 'https://example.com/ho\r\nok' }, 'url'],
    ['a URL with a leading space', { url: ' https://example.com/hook' }, 'url'],
    ['a URL with a backslash the URL parser would rewrite', { url: 'https://example.com\\hook' }, 'url'],
    ['an unknown event type', { eventTypes: ['key.exploded'] }, 'eventTypes'],
    ['repeated event types', { eventTypes: ['key.created', 'key.created'] }, 'eventTypes'],
    ['a bad app id', { appId: 'nope' }, 'appId'],
    ['an unknown field', { secret: 'whsec_mine' }, 'secret'],
  ])('create with %s: 400 naming the field', async (_, override, field) => {
    const body = { appId: app.id, url: 'https://example.com/hook', ...override };
    const response = await rawRequest(api.baseUrl, path, { apiKey: workspace.secret, body: JSON.stringify(body) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toContain(field);
  });

  it.each(['https://hooks.example.com./in', 'https://bücher.example/in', 'https://hooks_internal.example/in'])(
    'create with the valid host name of %s: accepted',
    async (url) => {
      const response = await rawRequest(api.baseUrl, path, { apiKey: workspace.secret, body: JSON.stringify({ appId: app.id, url }) });
      const created = response.json as { id: string; url: string };
      expect({ status: response.status, url: created.url }).toEqual({ status: 201, url });
      // No delivery of this file's events goes to a host that does not exist.
      expect((await rawRequest(api.baseUrl, `${path}/${created.id}`, { method: 'DELETE', apiKey: workspace.secret })).status).toBe(204);
    },
  );

  it('update with a bad URL or enabled that is not a boolean: 400', async () => {
    const endpoint = await newEndpoint('/bad-update');
    for (const body of [{ url: 'javascript:alert(1)' }, { enabled: 'yes' }, { eventTypes: 'key.created' }]) {
      const response = await rawRequest(api.baseUrl, `${path}/${endpoint.id}`, {
        method: 'PATCH',
        apiKey: workspace.secret,
        body: JSON.stringify(body),
      });
      expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    }
    await owner.webhooks.delete(endpoint.id);
  });

  it('an app of no one: 404', async () => {
    await expectApiError(owner.webhooks.create({ appId: 'app_0000000000aaaaaaaaaaaaaaaa', url: 'https://example.com/h' }), {
      status: 404,
      code: 'NOT_FOUND',
    });
  });

  it.each([
    ['GET', '/v1/webhooks/nope'],
    ['GET', '/v1/webhooks/ep_0000000000aaaaaaaaaaaaaaaa'],
    ['GET', '/v1/webhooks/ep_0000000000aaaaaaaaaaaaaaaa/deliveries'],
    ['POST', '/v1/webhooks/ep_0000000000aaaaaaaaaaaaaaaa/deliveries/dlv_bad/redeliver'],
  ])('%s %s: 404', async (method, url) => {
    const response = await rawRequest(api.baseUrl, url, { method, apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 404, code: 'NOT_FOUND' });
  });

  it('redeliver of a delivery of another endpoint: 404', async () => {
    const [a, b] = [await newEndpoint('/a'), await newEndpoint('/b')];
    const delivery = await owner.webhooks.test(a.id);
    await expectApiError(owner.webhooks.redeliver(b.id, delivery.id), { status: 404, code: 'NOT_FOUND', message: 'Delivery not found' });
  });

  it('bad list queries: 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'cursor=%27', 'appId=x']) {
      const response = await rawRequest(api.baseUrl, `${path}?${query}`, { apiKey: workspace.secret });
      expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    }
    const endpoint = await newEndpoint('/bad-list');
    const response = await rawRequest(api.baseUrl, `${path}/${endpoint.id}/deliveries?status=lost`, { apiKey: workspace.secret });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
  });

  it('without a key: 401', async () => {
    expectErrorEnvelope(await rawRequest(api.baseUrl, path), { status: 401, code: 'UNAUTHORIZED', message: 'API key required' });
  });
});

describe('access', () => {
  it('a viewer reads endpoints and deliveries but cannot change them: 403 naming webhooks.write', async () => {
    const endpoint = await newEndpoint('/viewed');
    const viewer = client(api.baseUrl, (await owner.adminKeys.create({ name: 'viewer', role: 'viewer' })).secret);
    expect((await viewer.webhooks.get(endpoint.id)).id).toBe(endpoint.id);
    expect((await viewer.webhooks.deliveries(endpoint.id)).data).toEqual([]);
    for (const call of [
      viewer.webhooks.create({ appId: app.id, url: 'https://example.com/h' }),
      viewer.webhooks.rotateSecret(endpoint.id),
      viewer.webhooks.test(endpoint.id),
      viewer.webhooks.delete(endpoint.id),
    ]) {
      await expectApiError(call, { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /webhooks\.write/ });
    }
  });

  it('a key without webhooks.read cannot list: 403', async () => {
    const keysOnly = client(api.baseUrl, (await owner.adminKeys.create({ name: 'keys', scopes: ['keys.read'] })).secret);
    await expectApiError(keysOnly.webhooks.list(), { status: 403, code: 'INSUFFICIENT_PERMISSIONS', message: /webhooks\.read/ });
  });

  it('an app-restricted key sees only its apps endpoints and cannot act on others: 403', async () => {
    const other = await owner.apps.create({ name: uniqueName('other-app') });
    const outside = await newEndpoint('/outside', { appId: other.id });
    const inside = await newEndpoint('/inside');
    const restricted = client(api.baseUrl, (await owner.adminKeys.create({ name: 'r', role: 'admin', appIds: [app.id] })).secret);
    const listed = (await restricted.webhooks.list({ limit: 100 })).data.map((endpoint) => endpoint.id);
    expect(listed).toContain(inside.id);
    expect(listed).not.toContain(outside.id);
    await expectApiError(restricted.webhooks.get(outside.id), { status: 403, code: 'INSUFFICIENT_PERMISSIONS' });
    await expectApiError(restricted.webhooks.create({ appId: other.id, url: 'https://example.com/h' }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it("another workspace's endpoints do not exist: 404", async () => {
    const endpoint = await newEndpoint('/private');
    const stranger = client(api.baseUrl, (await bootstrapWorkspace('webhooks-b')).secret);
    await expectApiError(stranger.webhooks.get(endpoint.id), { status: 404, code: 'NOT_FOUND' });
    await expectApiError(stranger.webhooks.deliveries(endpoint.id), { status: 404, code: 'NOT_FOUND' });
    expect((await stranger.webhooks.list()).data).toEqual([]);
  });
});

describe('secrecy', () => {
  it('no delivered payload carries key material or a webhook secret', () => {
    expect(receiver.received.length).toBeGreaterThan(10);
    const secrets = issuedSecrets();
    for (const request of receiver.received) {
      expect(request.body).not.toMatch(KEY_SHAPE);
      expect(request.body).not.toMatch(WEBHOOK_SECRET_SHAPE);
      for (const secret of secrets) expect(request.body).not.toContain(secret);
    }
  });
});
