import { createHash } from 'node:crypto';
import type { ConsoleSession } from '@keywarden/core';
import type { Keywarden } from '@keywarden/sdk';
import Redis from 'ioredis';
import { type ApiProcess, bootstrapWorkspace, client, eventually, rawRequest, type RawResponse, startApi, uniqueName, type Workspace } from './harness';
import { awayFromWindowEdge } from './policy/helpers';

const COOKIE = 'kw_console_session';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;

interface SignedIn {
  cookie: string;
  setCookie: string;
  session: ConsoleSession;
}

async function signIn(baseUrl: string, key: string): Promise<SignedIn> {
  const response = await rawRequest(baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key }) });
  expect(response.status).toBe(201);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = /^([^;]+)/.exec(setCookie)?.[1] ?? '';
  return { cookie, setCookie, session: response.json as ConsoleSession };
}

function withCookie(baseUrl: string, path: string, signedIn: SignedIn, init: { method?: string; body?: unknown; csrf?: string | null } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { cookie: signedIn.cookie };
  const csrf = init.csrf === undefined ? signedIn.session.csrfToken : init.csrf;
  if (csrf !== null) headers['x-csrf-token'] = csrf;
  return rawRequest(baseUrl, path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('console-sessions');
  owner = client(api.baseUrl, workspace.secret);
});

afterAll(async () => {
  await api?.stop();
});

describe('signing in to the console', () => {
  it('exchanges an admin key for an HttpOnly, SameSite=Strict cookie and answers the CSRF token and the actor', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    expect(signedIn.setCookie).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(signedIn.setCookie).toMatch(/; HttpOnly/);
    expect(signedIn.setCookie).toMatch(/; SameSite=Strict/);
    expect(signedIn.setCookie).toMatch(/; Path=\/v1/);
    // Plain HTTP here: Secure would make the browser drop it.
    expect(signedIn.setCookie).not.toMatch(/Secure/);
    expect(signedIn.session).toEqual({
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      idleTimeoutSeconds: 1800,
      actor: expect.objectContaining({ keyId: workspace.keyId, kind: 'admin', scopes: ['*'] }),
    });
    expect(JSON.stringify(signedIn.session)).not.toContain(workspace.secret);
    expect(signedIn.cookie).not.toContain(workspace.secret);
  });

  it("ends the session when its admin key expires, not later: expiresAt and the cookie's Expires say so", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const member = await owner.adminKeys.create({ name: uniqueName('expiring'), role: 'viewer', expiresAt: expiresAt.toISOString() });
    const signedIn = await signIn(api.baseUrl, member.secret);
    expect(Math.abs(Date.parse(signedIn.session.expiresAt) - expiresAt.getTime())).toBeLessThanOrEqual(1_000);
    const cookieExpires = Date.parse(/; Expires=([^;]+)/.exec(signedIn.setCookie)?.[1] ?? '');
    expect(Math.abs(cookieExpires - expiresAt.getTime())).toBeLessThanOrEqual(1_000);
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const proxied = await startApi({ KW_TRUST_PROXY: 'true' });
    try {
      const response = await rawRequest(proxied.baseUrl, '/v1/console/sessions', {
        body: JSON.stringify({ key: workspace.secret }),
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await proxied.stop();
    }
  });

  it('refuses an unknown key with 401 and never echoes it', async () => {
    const wrong = `${workspace.secret.slice(0, -8)}AAAAAAAA`;
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: wrong }) });
    expect(response.status).toBe(401);
    expect((response.json as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect(response.text).not.toContain(wrong);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it("refuses a key signing in from outside its IP allowlist, as any request of the key (403, no cookie)", async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('ip'), role: 'viewer', policy: { ipAllowlist: ['192.0.2.10/32'] } });
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: member.secret }) });
    expect({ status: response.status, code: (response.json as { error: { code: string } }).error.code }).toEqual({ status: 403, code: 'IP_NOT_ALLOWED' });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it("counts sign-ins against the key's rate limit", async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('rate'), role: 'viewer', policy: { rateLimits: { perMinute: 2 } } });
    await awayFromWindowEdge(60_000, 5_000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: member.secret }) })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('refuses a body without a key with 400', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ apiKey: 'x' }) });
    expect(response.status).toBe(400);
    expect((response.json as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses an app key: only admin keys sign in', async () => {
    const app = await owner.apps.create({ name: uniqueName('app'), scopeCatalog: ['generation.create'] });
    const key = await owner.keys.create({ appId: app.id, name: 'customer', environment: 'live', scopes: ['generation.create'] });
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions', { body: JSON.stringify({ key: key.secret }) });
    expect(response.status).toBe(403);
    expect((response.json as { error: { message: string } }).error.message).toBe('Only admin keys can sign in to the console');
  });
});

describe('the audit log', () => {
  it('records a sign-in once, on the admin key, with its IP and nothing of the key, cookie or CSRF token', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('audited'), role: 'viewer' });
    const signedIn = await signIn(api.baseUrl, member.secret);
    const { data } = await owner.audit.list({ actor: member.id });
    expect(data).toEqual([
      expect.objectContaining({
        action: 'console_session.created',
        actorKeyId: member.id,
        targetType: 'admin_key',
        targetId: member.id,
        ip: expect.any(String),
        details: { expiresAt: signedIn.session.expiresAt },
      }),
    ]);
    const text = JSON.stringify(data);
    for (const secret of [member.secret, signedIn.cookie.split('=')[1], signedIn.session.csrfToken]) expect(text).not.toContain(secret);
  });

  it('records a sign-out on the admin key', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('audited'), role: 'viewer' });
    const signedIn = await signIn(api.baseUrl, member.secret);
    expect((await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE' })).status).toBe(204);
    const { data } = await owner.audit.list({ action: 'console_session.ended', targetId: member.id });
    expect(data).toEqual([expect.objectContaining({ actorKeyId: member.id, targetType: 'admin_key', targetId: member.id })]);
  });
});

describe('requests made with the session cookie', () => {
  it('act as the admin key behind the session, under the same scope guard', async () => {
    const viewer = await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    const signedIn = await signIn(api.baseUrl, viewer.secret);
    const me = await withCookie(api.baseUrl, '/v1/me', signedIn);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ keyId: viewer.id });
    expect((await withCookie(api.baseUrl, '/v1/apps', signedIn)).status).toBe(200);
    const create = await withCookie(api.baseUrl, '/v1/apps', signedIn, { method: 'POST', body: { name: uniqueName('app') } });
    expect(create.status).toBe(403);
    expect((create.json as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'API key lacks the required scope: apps.write',
    });
  });

  it('need the session CSRF token in X-CSRF-Token to change anything', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const name = uniqueName('app');
    const missing = await withCookie(api.baseUrl, '/v1/apps', signedIn, { method: 'POST', body: { name }, csrf: null });
    expect(missing.status).toBe(403);
    expect((missing.json as { error: { code: string } }).error.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await withCookie(api.baseUrl, '/v1/apps', signedIn, { method: 'POST', body: { name }, csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const other = await signIn(api.baseUrl, workspace.secret);
    const foreignToken = await withCookie(api.baseUrl, '/v1/apps', signedIn, { method: 'POST', body: { name }, csrf: other.session.csrfToken });
    expect(foreignToken.status).toBe(403);
    const right = await withCookie(api.baseUrl, '/v1/apps', signedIn, { method: 'POST', body: { name } });
    expect(right.status).toBe(201);
  });

  it('read the CSRF token back after a reload from GET /v1/console/sessions/current', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const current = await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { csrf: null });
    expect(current.status).toBe(200);
    expect(current.json).toEqual(signedIn.session);
  });

  it('GET /v1/console/sessions/current with a key instead of a cookie is 401', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/console/sessions/current', { apiKey: workspace.secret });
    expect(response.status).toBe(401);
    expect((response.json as { error: { message: string } }).error.message).toBe('No console session: sign in with an admin key');
  });

  it('a cookie that names no session is 401', async () => {
    const response = await rawRequest(api.baseUrl, '/v1/me', { headers: { cookie: `${COOKIE}=${'A'.repeat(43)}` } });
    expect(response.status).toBe(401);
    expect((response.json as { error: { message: string } }).error.message).toBe('Session has ended: sign in again');
  });
});

describe('ending sessions', () => {
  it('signing out ends the session on the server and clears the cookie', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const out = await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0;`));
    expect((await withCookie(api.baseUrl, '/v1/me', signedIn)).status).toBe(401);
  });

  it('signing in again from a browser that holds a session ends that session: its cookie is overwritten', async () => {
    const first = await signIn(api.baseUrl, workspace.secret);
    const again = await rawRequest(api.baseUrl, '/v1/console/sessions', { headers: { cookie: first.cookie }, body: JSON.stringify({ key: workspace.secret }) });
    expect(again.status).toBe(201);
    expect((await withCookie(api.baseUrl, '/v1/me', first)).status).toBe(401);
    const second = { cookie: /^([^;]+)/.exec(again.headers.get('set-cookie') ?? '')?.[1] ?? '', setCookie: '', session: again.json as ConsoleSession };
    expect((await withCookie(api.baseUrl, '/v1/me', second)).status).toBe(200);
  });

  it('signing out of a live session needs the CSRF token too: without it the session and its cookie stay', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const out = await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE', csrf: null });
    expect(out.status).toBe(403);
    expect(out.headers.get('set-cookie')).toBeNull();
    expect((await withCookie(api.baseUrl, '/v1/me', signedIn)).status).toBe(200);
  });

  it('signing out of a session already signed out (in another tab) answers 204 and clears the cookie, with or without the CSRF token', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    expect((await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE' })).status).toBe(204);
    for (const csrf of [undefined, null]) {
      const again = await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE', csrf });
      expect(again.status).toBe(204);
      expect(again.headers.get('set-cookie')).toBe(`${COOKIE}=; Max-Age=0; Path=/v1; HttpOnly; SameSite=Strict`);
    }
  });

  it("signing out after the session's admin key was revoked answers 204 and clears the cookie", async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('revoked'), role: 'viewer' });
    const signedIn = await signIn(api.baseUrl, member.secret);
    await owner.adminKeys.revoke(member.id);
    const out = await withCookie(api.baseUrl, '/v1/console/sessions/current', signedIn, { method: 'DELETE', csrf: null });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0;`));
  });

  it('signing out without a session cookie answers 204 and clears the cookie', async () => {
    const out = await rawRequest(api.baseUrl, '/v1/console/sessions/current', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0;`));
  });

  it('revoking the admin key ends its sessions at once', async () => {
    const member = await owner.adminKeys.create({ name: uniqueName('member'), role: 'admin' });
    const first = await signIn(api.baseUrl, member.secret);
    const second = await signIn(api.baseUrl, member.secret);
    await owner.adminKeys.revoke(member.id);
    for (const signedIn of [first, second]) {
      const response = await withCookie(api.baseUrl, '/v1/me', signedIn);
      expect(response.status).toBe(401);
      expect((response.json as { error: { message: string } }).error.message).toBe('Session has ended: sign in again');
    }
  });

  it('a session with no request for the idle timeout ends', async () => {
    const shortIdle = await startApi({ KW_SESSION_IDLE_SECONDS: '1', KW_SESSION_MAX_SECONDS: '60' });
    const redis = new Redis(process.env.REDIS_URL as string);
    try {
      const signedIn = await signIn(shortIdle.baseUrl, workspace.secret);
      expect(signedIn.session.idleTimeoutSeconds).toBe(1);
      const token = signedIn.cookie.slice(COOKIE.length + 1);
      const stored = `kw:session:${createHash('sha256').update(token).digest('hex')}`;
      // Watch the stored session without touching it: Redis drops it after the idle time.
      await eventually(async () => expect(await redis.exists(stored)).toBe(0), { timeoutMs: 5_000 });
      expect((await withCookie(shortIdle.baseUrl, '/v1/me', signedIn)).status).toBe(401);
    } finally {
      redis.disconnect();
      await shortIdle.stop();
    }
  });

  it('a session in constant use still ends at its absolute lifetime', async () => {
    const shortLife = await startApi({ KW_SESSION_IDLE_SECONDS: '2', KW_SESSION_MAX_SECONDS: '2' });
    try {
      const signedIn = await signIn(shortLife.baseUrl, workspace.secret);
      const deadline = Date.parse(signedIn.session.expiresAt);
      // Requests every 200 ms keep it from idling; the absolute deadline ends it anyway.
      const ended = await eventually(
        async () => {
          const response = await withCookie(shortLife.baseUrl, '/v1/me', signedIn);
          expect(response.status).toBe(401);
          return Date.now();
        },
        { timeoutMs: 6_000, intervalMs: 200 },
      );
      expect(ended).toBeGreaterThanOrEqual(deadline);
    } finally {
      await shortLife.stop();
    }
  });
});

describe('keys presented with a request', () => {
  it('win over a session cookie: the cookie is not consulted', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const viewer = await owner.adminKeys.create({ name: uniqueName('viewer'), role: 'viewer' });
    const response = await rawRequest(api.baseUrl, '/v1/me', { apiKey: viewer.secret, headers: { cookie: signedIn.cookie } });
    expect(response.json).toMatchObject({ keyId: viewer.id });
  });

  it('are Bearer or X-API-Key only: Basic credentials a proxy in front asks the browser for leave the cookie to decide', async () => {
    const signedIn = await signIn(api.baseUrl, workspace.secret);
    const basic = `Basic ${Buffer.from('operator:proxy-password').toString('base64')}`;
    const read = await rawRequest(api.baseUrl, '/v1/me', { headers: { cookie: signedIn.cookie, authorization: basic } });
    expect(read.json).toMatchObject({ keyId: workspace.keyId });
    const write = await rawRequest(api.baseUrl, '/v1/apps', {
      headers: { cookie: signedIn.cookie, authorization: basic },
      body: JSON.stringify({ name: uniqueName('behind-proxy') }),
    });
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ error: { code: 'CSRF_TOKEN_INVALID' } });
  });
});
