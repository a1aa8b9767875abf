import { createHash } from 'node:crypto';
import type { App, AppKey, Customer, Keywarden, Page, PortalApp, PortalMe, PortalPermission, WithSecret } from '@keywarden/sdk';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  detailFields,
  eventually,
  expectApiError,
  expectErrorEnvelope,
  rawRequest,
  type RawResponse,
  startApi,
  uniqueName,
  type Workspace,
} from './harness';
import { CATALOG, keyWithPolicy, sql } from './policy/helpers';

/**
 * The customer portal: a single-use link becomes a cookie session limited to one customer
 * (and optionally one app) and its permissions; behind it the customer's own keys, usage,
 * alerts and webhook endpoints, and nothing of anyone else.
 */

const ALL: PortalPermission[] = ['keys.read', 'keys.create', 'keys.rotate', 'keys.revoke', 'usage.read', 'alerts.read', 'webhooks.manage'];
const LINK_REFUSED = 'Portal link is invalid, expired or already used';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;
let otherApp: App;
let alice: Customer;
let bob: Customer;

interface Portal {
  cookie: string;
  setCookie: string;
  me: PortalMe;
}

function tokenOf(url: string): string {
  return /#token=([A-Za-z0-9_-]+)$/.exec(url)?.[1] ?? '';
}

function exchange(token: string, headers: Record<string, string> = {}, base = api.baseUrl): Promise<RawResponse> {
  return rawRequest(base, '/v1/portal/exchange', { body: JSON.stringify({ token }), headers });
}

async function openPortal(customer: Customer, options: { appId?: string; permissions?: PortalPermission[]; allowedScopes?: string[] } = {}): Promise<Portal> {
  const link = await owner.portal.createSession({
    customerId: customer.id,
    permissions: options.permissions ?? ALL,
    ...(options.appId ? { appId: options.appId } : {}),
    ...(options.allowedScopes ? { allowedScopes: options.allowedScopes } : {}),
  });
  const response = await exchange(tokenOf(link.url));
  expect(response.status).toBe(204);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = /^([^;]+)/.exec(setCookie)?.[1] ?? '';
  const me = await rawRequest(api.baseUrl, '/v1/portal/me', { headers: { cookie } });
  expect(me.status).toBe(200);
  return { cookie, setCookie, me: me.json as PortalMe };
}

function call(portal: Portal, path: string, init: { method?: string; body?: unknown; csrf?: boolean } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { cookie: portal.cookie };
  if (init.csrf !== false) headers['x-csrf-token'] = portal.me.csrfToken;
  return rawRequest(api.baseUrl, path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

function keyOf(customer: Customer, inApp = app): Promise<AppKey & WithSecret> {
  return keyWithPolicy(owner, inApp, undefined, { customerId: customer.id });
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('portal');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({
    name: uniqueName('portal-app'),
    scopeCatalog: CATALOG,
    defaultPolicy: { rateLimits: { perMinute: 77 } },
    portal: { displayName: 'Acme AI', logoUrl: 'https://cdn.acme.test/logo.png', accentColor: '#1a2b3c', supportUrl: 'https://acme.test/help', allowedEmbedOrigins: ['https://app.acme.test'] },
  });
  otherApp = await owner.apps.create({ name: uniqueName('portal-other-app'), scopeCatalog: CATALOG });
  [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => owner.customers.create({ externalId: uniqueName(name), name })));
});

afterAll(async () => {
  await api?.stop();
});

describe('portal links', () => {
  it('answers a link to {base}/portal with the token in the fragment, exchangeable for five minutes', async () => {
    const before = Date.now();
    const link = await owner.portal.createSession({ externalId: alice.externalId, permissions: ['keys.read'] });
    expect(link.url).toMatch(new RegExp(`^${api.baseUrl}/portal#token=[A-Za-z0-9_-]{43}$`));
    const expiresIn = Date.parse(link.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(expiresIn).toBeLessThanOrEqual(301_000);
    // Only the token's hash is stored.
    const [stored] = await sql<{ token_hash: string }>(`SELECT token_hash FROM portal_links WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 1`, [alice.id]);
    expect(stored.token_hash).toBe(createHash('sha256').update(tokenOf(link.url)).digest('hex'));
  });

  it("gives a link limited to one app an embedUrl with the app in its path (that page may carry the app's frame-ancestors), holding the same token", async () => {
    const link = await owner.portal.createSession({ customerId: alice.id, appId: app.id, permissions: ['keys.read'] });
    expect(link.url).toMatch(new RegExp(`^${api.baseUrl}/portal#token=[A-Za-z0-9_-]{43}$`));
    expect(link.embedUrl).toBe(`${api.baseUrl}/portal/${app.id}#token=${tokenOf(link.url)}`);
  });

  it('gives a link that names no app no embedUrl', async () => {
    const link = await owner.portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    expect(link.embedUrl).toBeNull();
  });

  it("is made from a console session too (its cookie and CSRF token), as the console's customer page does", async () => {
    const signIn = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: workspace.secret }) });
    expect(signIn.status).toBe(201);
    const cookie = /^([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const csrf = (signIn.json as { csrfToken: string }).csrfToken;
    const body = JSON.stringify({ customerId: alice.id, permissions: ['keys.read'] });
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/portal/sessions', { body, headers: { cookie } }), { status: 403, code: 'CSRF_TOKEN_INVALID' });
    const made = await rawRequest(api.baseUrl, '/v1/portal/sessions', { body, headers: { cookie, 'x-csrf-token': csrf } });
    expect(made.status).toBe(201);
    expect((await exchange(tokenOf((made.json as { url: string }).url))).status).toBe(204);
  });

  it('exchanges a token once for an HttpOnly, SameSite=Strict cookie; the same token again is 401', async () => {
    const link = await owner.portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    const first = await exchange(tokenOf(link.url));
    expect(first.status).toBe(204);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^kw_portal_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    expectErrorEnvelope(await exchange(tokenOf(link.url)), { status: 401, code: 'UNAUTHORIZED', message: LINK_REFUSED });
  });

  it('refuses a forged token and an expired one with the same 401', async () => {
    expectErrorEnvelope(await exchange('A'.repeat(43)), { status: 401, code: 'UNAUTHORIZED', message: LINK_REFUSED });
    const link = await owner.portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    const token = tokenOf(link.url);
    await sql(`UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [createHash('sha256').update(token).digest('hex')]);
    expectErrorEnvelope(await exchange(token), { status: 401, code: 'UNAUTHORIZED', message: LINK_REFUSED });
  });

  it('refuses, with the same 401, an unused link whose maker has since been revoked', async () => {
    const linkMaker = await owner.adminKeys.create({ name: uniqueName('leaked-maker'), role: 'admin' });
    const link = await client(api.baseUrl, linkMaker.secret).portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    await owner.adminKeys.revoke(linkMaker.id);
    expectErrorEnvelope(await exchange(tokenOf(link.url)), { status: 401, code: 'UNAUTHORIZED', message: LINK_REFUSED });
  });

  it('marks the cookie Secure when the exchange came over HTTPS through a trusted proxy', async () => {
    const proxied = await startApi({ KW_TRUST_PROXY: 'true' });
    try {
      const link = await owner.portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
      const response = await exchange(tokenOf(link.url), { 'x-forwarded-proto': 'https' }, proxied.baseUrl);
      expect(response.status).toBe(204);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await proxied.stop();
    }
  });

  it.each([
    ['no customer', { permissions: ['keys.read'] }, 'customerId'],
    ['an unknown permission', { externalId: 'x', permissions: ['keys.delete'] }, 'permissions'],
    ['no permission', { externalId: 'x', permissions: [] }, 'permissions'],
    ['a management scope as allowed scope', { externalId: 'x', permissions: ['keys.create'], allowedScopes: ['keys.write'] }, 'allowedScopes'],
    ['a session ttl of a week', { externalId: 'x', permissions: ['keys.read'], ttlSeconds: 604_800 }, 'ttlSeconds'],
  ])('answers 400 for a link with %s', async (_label, body, field) => {
    const response = await rawRequest(api.baseUrl, '/v1/portal/sessions', { apiKey: workspace.secret, body: JSON.stringify(body) });
    expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED' });
    expect(detailFields(response)).toContain(field);
  });

  it('answers 404 for an unknown externalId and 409 for a suspended customer', async () => {
    await expectApiError(owner.portal.createSession({ externalId: uniqueName('ghost'), permissions: ['keys.read'] }), { status: 404, code: 'NOT_FOUND' });
    const suspended = await owner.customers.create({ externalId: uniqueName('sleepy') });
    await owner.customers.suspend(suspended.id);
    await expectApiError(owner.portal.createSession({ customerId: suspended.id, permissions: ['keys.read'] }), { status: 409, code: 'CONFLICT' });
  });

  it('needs portal.write: a developer key is refused', async () => {
    const developer = await owner.adminKeys.create({ name: uniqueName('developer'), role: 'developer' });
    await expectApiError(client(api.baseUrl, developer.secret).portal.createSession({ customerId: alice.id, permissions: ['keys.read'] }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: /portal\.write/,
    });
  });

  it('grants no permission whose management scopes the key making the link lacks', async () => {
    const linkMaker = await owner.adminKeys.create({ name: uniqueName('link-maker'), scopes: ['portal.write', 'keys.read', 'usage.read'] });
    const limited = client(api.baseUrl, linkMaker.secret);
    const cases: Array<[PortalPermission, string]> = [
      ['keys.create', 'keys.write'],
      ['keys.rotate', 'keys.write'],
      ['keys.revoke', 'keys.revoke'],
      ['alerts.read', 'alerts.read'],
      ['webhooks.manage', 'webhooks.read'],
    ];
    for (const [permission, scope] of cases) {
      await expectApiError(limited.portal.createSession({ customerId: alice.id, permissions: ['keys.read', permission] }), {
        status: 403,
        code: 'INSUFFICIENT_PERMISSIONS',
        message: `API key lacks the scope ${scope} needed to grant the portal permission ${permission}`,
      });
    }
    // What it holds, it may grant.
    const link = await limited.portal.createSession({ customerId: alice.id, permissions: ['keys.read', 'usage.read'] });
    expect((await exchange(tokenOf(link.url))).status).toBe(204);
  });
});

describe('a portal session', () => {
  it('shows the customer, the app with its branding, the permissions and a CSRF token', async () => {
    const portal = await openPortal(alice, { appId: app.id, permissions: ['keys.read', 'usage.read'], allowedScopes: ['generation.create'] });
    expect(portal.me).toEqual({
      customer: { id: alice.id, externalId: alice.externalId, name: 'alice' },
      app: { id: app.id, name: app.name, portal: app.portal, environments: app.environments, scopeCatalog: CATALOG },
      permissions: ['keys.read', 'usage.read'],
      allowedScopes: ['generation.create'],
      expiresAt: expect.any(String),
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(app.portal).toMatchObject({ displayName: 'Acme AI', accentColor: '#1a2b3c' });
  });

  it('is not an API key: the cookie opens no route outside the portal, and an API key opens no portal route', async () => {
    const portal = await openPortal(alice);
    expect((await call(portal, '/v1/keys')).status).toBe(401);
    expect((await call(portal, '/v1/customers')).status).toBe(401);
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/portal/keys', { apiKey: workspace.secret }), {
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'A portal session is required: open the portal link again',
    });
  });

  it('refuses a change without the CSRF token and a route outside its permissions', async () => {
    const portal = await openPortal(alice, { permissions: ['keys.read'] });
    expectErrorEnvelope(await call(portal, '/v1/portal/keys', { body: { appId: app.id, name: 'x', environment: 'live', scopes: ['generation.create'] }, csrf: false }), {
      status: 403,
      code: 'CSRF_TOKEN_INVALID',
    });
    expectErrorEnvelope(await call(portal, '/v1/portal/keys', { body: { appId: app.id, name: 'x', environment: 'live', scopes: ['generation.create'] } }), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'Portal session lacks the permission: keys.create',
    });
    expect((await call(portal, '/v1/portal/usage?granularity=hour&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z')).status).toBe(403);
  });

  it('signs out: the session ends on the server, the cookie is cleared, and the sign-out is audited', async () => {
    const portal = await openPortal(alice, { appId: app.id, permissions: ['keys.read'] });
    const signedOut = await call(portal, '/v1/portal/sessions/current', { method: 'DELETE' });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^kw_portal_session=;.*Max-Age=0/);
    expectErrorEnvelope(await call(portal, '/v1/portal/me'), { status: 401, code: 'UNAUTHORIZED' });
    const entries = await owner.audit.list({ action: 'portal_session.ended', limit: 5 });
    expect(entries.data[0]).toMatchObject({ action: 'portal_session.ended', actor: `portal:${alice.id}`, targetId: alice.id, details: { appId: app.id } });
    // The audit log filters by that actor: the customer's own entries, not the admin's that opened its link.
    const byActor = await owner.audit.list({ actor: `portal:${alice.id}`, limit: 100 });
    expect(byActor.data.map((entry) => entry.action)).toContain('portal_session.ended');
    expect(byActor.data.every((entry) => entry.actor === `portal:${alice.id}`)).toBe(true);
  });

  it('signs out only with the CSRF token, so another site cannot end the session: without it the session and its cookie stay', async () => {
    const portal = await openPortal(alice);
    const out = await call(portal, '/v1/portal/sessions/current', { method: 'DELETE', csrf: false });
    expectErrorEnvelope(out, { status: 403, code: 'CSRF_TOKEN_INVALID' });
    expect(out.headers.get('set-cookie')).toBeNull();
    expect((await call(portal, '/v1/portal/me')).status).toBe(200);
  });

  it('signing out of a session already signed out (in another tab) answers 204 and clears the cookie, with or without the CSRF token, and audits only the sign-out that ended it', async () => {
    const dave = await owner.customers.create({ externalId: uniqueName('dave') });
    const portal = await openPortal(dave);
    expect((await call(portal, '/v1/portal/sessions/current', { method: 'DELETE' })).status).toBe(204);
    for (const csrf of [true, false]) {
      const again = await call(portal, '/v1/portal/sessions/current', { method: 'DELETE', csrf });
      expect(again.status).toBe(204);
      expect(again.headers.get('set-cookie')).toBe('kw_portal_session=; Max-Age=0; Path=/v1; HttpOnly; SameSite=Strict');
    }
    const ended = await owner.audit.list({ action: 'portal_session.ended', actor: `portal:${dave.id}`, limit: 10 });
    expect(ended.data).toHaveLength(1);
  });

  it("signing out after the link's admin key was revoked answers 204 and clears the cookie", async () => {
    const linkMaker = await owner.adminKeys.create({ name: uniqueName('sign-out-maker'), role: 'admin' });
    const link = await client(api.baseUrl, linkMaker.secret).portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    const cookie = /^([^;]+)/.exec((await exchange(tokenOf(link.url))).headers.get('set-cookie') ?? '')?.[1] ?? '';
    await owner.adminKeys.revoke(linkMaker.id);
    const out = await rawRequest(api.baseUrl, '/v1/portal/sessions/current', { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kw_portal_session=; Max-Age=0;/);
  });

  it("signing out after the session's app was deleted answers 204 and clears the cookie", async () => {
    const doomed = await owner.apps.create({ name: uniqueName('portal-sign-out-app'), scopeCatalog: CATALOG });
    const portal = await openPortal(alice, { appId: doomed.id });
    await owner.apps.delete(doomed.id);
    const out = await call(portal, '/v1/portal/sessions/current', { method: 'DELETE', csrf: false });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kw_portal_session=; Max-Age=0;/);
  });

  it('signing out without a portal cookie answers 204 and clears the cookie', async () => {
    const out = await rawRequest(api.baseUrl, '/v1/portal/sessions/current', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^kw_portal_session=; Max-Age=0;/);
  });

  it('ends when the admin key that made its link is revoked', async () => {
    const linkMaker = await owner.adminKeys.create({ name: uniqueName('leaked-maker'), role: 'admin' });
    const link = await client(api.baseUrl, linkMaker.secret).portal.createSession({ customerId: alice.id, permissions: ['keys.read'] });
    const cookie = /^([^;]+)/.exec((await exchange(tokenOf(link.url))).headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect((await rawRequest(api.baseUrl, '/v1/portal/me', { headers: { cookie } })).status).toBe(200);
    await owner.adminKeys.revoke(linkMaker.id);
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/portal/me', { headers: { cookie } }), { status: 401, code: 'UNAUTHORIZED', message: 'Session has ended: sign in again' });
  });

  it('ends when the app its link names is deleted', async () => {
    const doomed = await owner.apps.create({ name: uniqueName('portal-doomed-app'), scopeCatalog: CATALOG });
    const portal = await openPortal(alice, { appId: doomed.id });
    await owner.apps.delete(doomed.id);
    expectErrorEnvelope(await call(portal, '/v1/portal/me'), { status: 401, code: 'UNAUTHORIZED', message: 'Session has ended: sign in again' });
  });

  it('ends when the customer is suspended', async () => {
    const carol = await owner.customers.create({ externalId: uniqueName('carol') });
    const portal = await openPortal(carol);
    await owner.customers.suspend(carol.id);
    expect((await call(portal, '/v1/portal/me')).status).toBe(401);
    await owner.customers.resume(carol.id);
    expect((await call(portal, '/v1/portal/me')).status).toBe(401);
  });
});

describe('keys in the portal', () => {
  it("lists the customer's keys only", async () => {
    const [mine, theirs] = await Promise.all([keyOf(alice), keyOf(bob)]);
    const portal = await openPortal(alice);
    const listed = (await call(portal, '/v1/portal/keys?limit=100')).json as { data: AppKey[] };
    const ids = listed.data.map((key) => key.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect(listed.data.every((key) => key.customerId === alice.id)).toBe(true);
  });

  it("creates a key of the customer with the app's default policy, audited as the customer", async () => {
    const portal = await openPortal(alice, { appId: app.id, allowedScopes: ['generation.create'] });
    const response = await call(portal, '/v1/portal/keys', { body: { name: 'from the portal', environment: 'live', scopes: ['generation.create'] } });
    expect(response.status).toBe(201);
    const key = response.json as AppKey & WithSecret;
    expect(key).toMatchObject({ appId: app.id, customerId: alice.id, policy: null, createdBy: `portal:${alice.id}`, secret: expect.any(String) });
    expect((await owner.verifyKey(key.secret)).ratelimit).toMatchObject({ limit: 77 });
    const [entry] = (await owner.audit.list({ targetId: key.id })).data;
    expect(entry).toMatchObject({ action: 'key.created', actor: `portal:${alice.id}`, actorKeyId: null });
  });

  it('refuses scopes outside the allowed ones, and an app outside the session, writing nothing', async () => {
    const portal = await openPortal(alice, { appId: app.id, allowedScopes: ['generation.create'] });
    const before = (await owner.keys.list({ customerId: alice.id, limit: 100 })).data.length;
    const outside = await call(portal, '/v1/portal/keys', { body: { name: 'x', environment: 'live', scopes: ['embeddings.create'] } });
    expectErrorEnvelope(outside, { status: 400, code: 'VALIDATION_FAILED', message: /are not allowed in this portal: embeddings\.create/ });
    const otherAppKey = await call(portal, '/v1/portal/keys', { body: { appId: otherApp.id, name: 'x', environment: 'live', scopes: ['generation.create'] } });
    expectErrorEnvelope(otherAppKey, { status: 404, code: 'NOT_FOUND', message: 'App not found' });
    expect((await owner.keys.list({ customerId: alice.id, limit: 100 })).data.length).toBe(before);
  });

  it("rotates and revokes the customer's own key", async () => {
    const key = await keyOf(alice);
    const portal = await openPortal(alice);
    const rotated = await call(portal, `/v1/portal/keys/${key.id}/rotate`, { body: { gracePeriodSeconds: 0 } });
    expect(rotated.status).toBe(200);
    expect((rotated.json as WithSecret).secret).not.toBe(key.secret);
    const revoked = await call(portal, `/v1/portal/keys/${key.id}/revoke`, { method: 'POST' });
    expect((revoked.json as AppKey).status).toBe('revoked');
    const [entry] = (await owner.audit.list({ targetId: key.id })).data;
    expect(entry).toMatchObject({ action: 'key.revoked', actor: `portal:${alice.id}` });
  });

  it("refuses to rotate the customer's expired key with 409 CONFLICT saying why and what a customer can do, issuing no secret", async () => {
    const key = await keyOf(alice);
    await sql(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [key.id]);
    const portal = await openPortal(alice);
    const refused = await call(portal, `/v1/portal/keys/${key.id}/rotate`, { body: { gracePeriodSeconds: 0 } });
    expectErrorEnvelope(refused, {
      status: 409,
      code: 'CONFLICT',
      message: 'Key has expired: a rotation would issue a secret that never verifies; create a new key',
    });
    expect((await owner.keys.get(key.id)).secrets).toEqual([expect.objectContaining({ prefix: key.prefix, current: true })]);
  });

  it("answers 404 for another customer's key and for its own key in another app, changing nothing", async () => {
    const theirs = await keyOf(bob);
    const mineElsewhere = await keyOf(alice, otherApp);
    const portal = await openPortal(alice, { appId: app.id });
    for (const id of [theirs.id, mineElsewhere.id, 'key_00000000000000000000000000']) {
      for (const action of ['rotate', 'revoke']) {
        expectErrorEnvelope(await call(portal, `/v1/portal/keys/${id}/${action}`, { body: {} }), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
      }
    }
    expect((await owner.verifyKey(theirs.secret)).code).toBe('VALID');
    expect((await owner.verifyKey(mineElsewhere.secret)).code).toBe('VALID');
  });

  it("reads one of the customer's keys; another customer's key, or its own in another app, is 404 as if unknown", async () => {
    const [mine, theirs, mineElsewhere] = await Promise.all([keyOf(alice), keyOf(bob), keyOf(alice, otherApp)]);
    const portal = await openPortal(alice, { appId: app.id, permissions: ['keys.read'] });
    const own = await call(portal, `/v1/portal/keys/${mine.id}`);
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ id: mine.id, customerId: alice.id, prefix: mine.prefix });
    expect(own.json).not.toHaveProperty('secret');
    for (const id of [theirs.id, mineElsewhere.id, 'key_00000000000000000000000000']) {
      expectErrorEnvelope(await call(portal, `/v1/portal/keys/${id}`), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
    }
    expectErrorEnvelope(await call(portal, '/v1/portal/keys/not-a-key-id'), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
  });
});

describe('apps in the portal', () => {
  const portalAppOf = (of: App): PortalApp => ({ id: of.id, name: of.name, environments: of.environments, scopeCatalog: of.scopeCatalog });

  it('lists every live app of the workspace to a session that names no app: ids, names, environments and scope catalogs only', async () => {
    const deleted = await owner.apps.create({ name: uniqueName('portal-deleted-app') });
    await owner.apps.delete(deleted.id);
    const elsewhere = await bootstrapWorkspace('portal-elsewhere');
    const foreign = await client(api.baseUrl, elsewhere.secret).apps.create({ name: uniqueName('portal-foreign-app') });
    const portal = await openPortal(alice, { permissions: ['keys.create'] });
    const listed = await call(portal, '/v1/portal/apps?limit=100');
    expect(listed.status).toBe(200);
    const apps = (listed.json as Page<PortalApp>).data;
    expect(apps).toEqual(expect.arrayContaining([portalAppOf(app), portalAppOf(otherApp)]));
    expect(apps.map((each) => each.id)).not.toContain(deleted.id);
    expect(apps.map((each) => each.id)).not.toContain(foreign.id);
  });

  it('lists only its app to a session limited to one', async () => {
    const portal = await openPortal(alice, { appId: app.id, permissions: ['webhooks.manage'] });
    expect((await call(portal, '/v1/portal/apps')).json).toEqual({ data: [portalAppOf(app)], nextCursor: null });
  });

  it('pages the apps by cursor', async () => {
    const portal = await openPortal(alice, { permissions: ['keys.create'] });
    const first = (await call(portal, '/v1/portal/apps?limit=1')).json as Page<PortalApp>;
    expect(first.data).toHaveLength(1);
    const second = (await call(portal, `/v1/portal/apps?limit=1&cursor=${first.nextCursor}`)).json as Page<PortalApp>;
    expect(second.data).toHaveLength(1);
    expect(second.data[0].id).not.toBe(first.data[0].id);
  });

  it('refuses a session that may neither create keys nor manage webhooks: 403 naming both', async () => {
    const portal = await openPortal(alice, { permissions: ['keys.read', 'usage.read', 'alerts.read'] });
    expectErrorEnvelope(await call(portal, '/v1/portal/apps'), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'Portal session lacks the permission: keys.create or webhooks.manage',
    });
  });

  it('answers an API key 401: the list is for portal sessions', async () => {
    expectErrorEnvelope(await rawRequest(api.baseUrl, '/v1/portal/apps', { apiKey: workspace.secret }), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('refuses a bad page query: 400', async () => {
    const portal = await openPortal(alice, { permissions: ['keys.create'] });
    for (const query of ['limit=0', 'limit=101', `cursor=${alice.id}`]) {
      expectErrorEnvelope(await call(portal, `/v1/portal/apps?${query}`), { status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('creates a key in an app the session that names no app chose from that list', async () => {
    const portal = await openPortal(alice, { permissions: ['keys.create'] });
    const response = await call(portal, '/v1/portal/keys', { body: { appId: otherApp.id, name: 'chosen app', environment: 'live', scopes: ['generation.create'] } });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ appId: otherApp.id, customerId: alice.id });
  });

  it('creates a webhook endpoint in the app the session that names no app chose, and needs one named', async () => {
    const portal = await openPortal(alice, { permissions: ['webhooks.manage'] });
    const created = await call(portal, '/v1/portal/webhooks', { body: { appId: otherApp.id, url: 'https://hooks.alice.test/other' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ appId: otherApp.id, customerId: alice.id });
    expectErrorEnvelope(await call(portal, '/v1/portal/webhooks', { body: { url: 'https://hooks.alice.test/none' } }), {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: /appId is required: this portal session is not limited to one app/,
    });
  });
});

describe('usage, alerts and webhooks in the portal', () => {
  it("shows the customer's usage and spend only", async () => {
    const mine = await keyOf(alice, otherApp);
    const theirs = await keyOf(bob, otherApp);
    const onlyMine = await owner.customers.create({ externalId: uniqueName('dora') });
    const doraKey = await keyOf(onlyMine, otherApp);
    await owner.verifyKey(doraKey.secret, { cost: 1.5 });
    await owner.verifyKey(doraKey.secret, { cost: 0.5 });
    await owner.verifyKey(theirs.secret, { cost: 9 });
    await owner.verifyKey(mine.secret, { cost: 9 });
    const portal = await openPortal(onlyMine);
    const now = Date.now();
    const query = `granularity=hour&from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`;
    await eventually(async () => {
      const usage = await call(portal, `/v1/portal/usage?${query}`);
      expect(usage.status).toBe(200);
      expect((usage.json as { totals: unknown }).totals).toEqual({ requests: 2, units: 0, cost: 2 });
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expectErrorEnvelope(await call(portal, `/v1/portal/usage?${query}&customerId=${bob.id}`), { status: 400, code: 'VALIDATION_FAILED' });
  });

  it("shows the usage of one of the customer's keys; another customer's key is 404", async () => {
    const customer = await owner.customers.create({ externalId: uniqueName('erin') });
    const [first, second] = await Promise.all([keyOf(customer, otherApp), keyOf(customer, otherApp)]);
    const theirs = await keyOf(bob, otherApp);
    await owner.verifyKey(first.secret, { cost: 1.25 });
    await owner.verifyKey(second.secret, { cost: 4 });
    const portal = await openPortal(customer);
    const now = Date.now();
    const query = `granularity=hour&from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}`;
    await eventually(async () => {
      const usage = await call(portal, `/v1/portal/usage?${query}&keyId=${first.id}`);
      expect(usage.status).toBe(200);
      expect((usage.json as { totals: unknown }).totals).toEqual({ requests: 1, units: 0, cost: 1.25 });
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expectErrorEnvelope(await call(portal, `/v1/portal/usage?${query}&keyId=${theirs.id}`), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
  });

  it("shows a key that came from another customer with its usage since it came only", async () => {
    const [earlier, later] = await Promise.all([owner.customers.create({ externalId: uniqueName('earlier') }), owner.customers.create({ externalId: uniqueName('later') })]);
    const key = await keyOf(earlier, otherApp);
    await owner.verifyKey(key.secret, { cost: 2 });
    const now = Date.now();
    const query = `granularity=hour&from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}&keyId=${key.id}`;
    const earlierPortal = await openPortal(earlier);
    await eventually(async () => {
      expect(((await call(earlierPortal, `/v1/portal/usage?${query}`)).json as { totals: unknown }).totals).toEqual({ requests: 1, units: 0, cost: 2 });
    }, { timeoutMs: 15_000, intervalMs: 100 });
    await owner.keys.update(key.id, { customerId: later.id });
    await owner.verifyKey(key.secret, { cost: 1 });
    const laterPortal = await openPortal(later);
    await eventually(async () => {
      expect(((await call(laterPortal, `/v1/portal/usage?${query}`)).json as { totals: unknown }).totals).toEqual({ requests: 1, units: 0, cost: 1 });
    }, { timeoutMs: 15_000, intervalMs: 100 });
  });

  it('a canary among the customer\'s keys is unknown to its portal, even by id', async () => {
    const canary = await owner.keys.create({ appId: app.id, name: uniqueName('decoy'), environment: 'live', scopes: [CATALOG[0]], customerId: alice.id, canary: true });
    const portal = await openPortal(alice);
    expectErrorEnvelope(await call(portal, `/v1/portal/keys/${canary.id}`), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
    expectErrorEnvelope(await call(portal, `/v1/portal/keys/${canary.id}/revoke`, { body: {} }), { status: 404, code: 'NOT_FOUND', message: 'Key not found' });
    expect((await owner.keys.get(canary.id)).status).toBe('active');
  });

  it("lists the alerts about the customer's keys only", async () => {
    const [mine, theirs] = await Promise.all([keyOf(alice), keyOf(bob)]);
    const insert = (key: AppKey, customerId: string) =>
      sql<{ id: string }>(
        `INSERT INTO alerts (id, workspace_id, app_id, key_id, customer_id, type, fingerprint, status, severity, evidence, first_detected_at, last_detected_at)
         VALUES ('alrt_' || substr(md5(random()::text), 1, 26), $1, $2, $3, $4, 'spike', 'spike:' || $3, 'open', 'high', '{}', now(), now()) RETURNING id`,
        [workspace.workspaceId, app.id, key.id, customerId],
      );
    const [[aliceAlert], [bobAlert]] = await Promise.all([insert(mine, alice.id), insert(theirs, bob.id)]);
    const portal = await openPortal(alice);
    const ids = ((await call(portal, '/v1/portal/alerts?limit=100')).json as { data: Array<{ id: string; customerId: string }> }).data.map((a) => a.id);
    expect(ids).toContain(aliceAlert.id);
    expect(ids).not.toContain(bobAlert.id);
  });

  it("creates endpoints scoped to the customer, lists its own only, and cannot delete another customer's", async () => {
    const bobsEndpoint = await owner.webhooks.create({ appId: app.id, url: 'https://hooks.bob.test/kw', customerId: bob.id });
    const appWide = await owner.webhooks.create({ appId: app.id, url: 'https://hooks.platform.test/kw' });
    const portal = await openPortal(alice, { appId: app.id });
    const created = await call(portal, '/v1/portal/webhooks', { body: { url: 'https://hooks.alice.test/kw', eventTypes: ['key.created'] } });
    expect(created.status).toBe(201);
    const endpoint = created.json as { id: string; customerId: string; secret: string };
    expect(endpoint).toMatchObject({ customerId: alice.id, appId: app.id, secret: expect.stringMatching(/^whsec_/) });
    const listed = ((await call(portal, '/v1/portal/webhooks')).json as { data: Array<{ id: string }> }).data.map((e) => e.id);
    expect(listed).toEqual([endpoint.id]);
    for (const id of [bobsEndpoint.id, appWide.id]) {
      expectErrorEnvelope(await call(portal, `/v1/portal/webhooks/${id}`, { method: 'DELETE' }), { status: 404, code: 'NOT_FOUND', message: 'Webhook endpoint not found' });
    }
    expect((await owner.webhooks.get(bobsEndpoint.id)).id).toBe(bobsEndpoint.id);
    expect((await call(portal, `/v1/portal/webhooks/${endpoint.id}`, { method: 'DELETE' })).status).toBe(204);
    const [entry] = (await owner.audit.list({ targetId: endpoint.id })).data;
    expect(entry).toMatchObject({ action: 'webhook.deleted', actor: `portal:${alice.id}` });
  });
});

describe("an app's embed origins", () => {
  it.each([
    ['a wildcard host', 'https://*.acme.test'],
    ['a path', 'https://app.acme.test/portal'],
    ['plain http', 'http://app.acme.test'],
  ])('refuses %s (400): each entry is one exact https origin', async (_label, origin) => {
    await expectApiError(owner.apps.update(app.id, { portal: { allowedEmbedOrigins: [origin] } }), {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: /must be origins like https:\/\/app\.example\.com/,
    });
  });
});
