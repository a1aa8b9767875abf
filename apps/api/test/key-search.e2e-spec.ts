import type { App, AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, expectErrorEnvelope, rawRequest, startApi, uniqueName, type Workspace } from './harness';

let api: ApiProcess;
let workspace: Workspace;
let owner: Keywarden;
let app: App;
let keys: Record<string, AppKey & WithSecret>;

async function search(query: string): Promise<{ names: string[]; nextCursor: string | null }> {
  const response = await rawRequest(api.baseUrl, `/v1/keys?${query}`, { apiKey: workspace.secret });
  expect(response.status).toBe(200);
  const page = response.json as { data: AppKey[]; nextCursor: string | null };
  return { names: page.data.map((key) => key.name).sort(), nextCursor: page.nextCursor };
}

beforeAll(async () => {
  api = await startApi();
  workspace = await bootstrapWorkspace('key-search');
  owner = client(api.baseUrl, workspace.secret);
  app = await owner.apps.create({ name: uniqueName('search'), scopeCatalog: ['generation.create'] });
  keys = {};
  for (const [name, group] of [
    ['Acme production', 'production'],
    ['acme staging', 'staging'],
    ['Globex production', 'production'],
    ['100% discount', null],
    ['under_score', null],
  ] as const) {
    keys[name] = await owner.keys.create({ appId: app.id, name, environment: 'live', scopes: ['generation.create'], ...(group ? { group } : {}) });
  }
});

afterAll(async () => {
  await api?.stop();
});

describe('GET /v1/keys?search=', () => {
  it('finds keys by part of their name, ignoring case', async () => {
    expect((await search(`appId=${app.id}&search=ACME`)).names).toEqual(['Acme production', 'acme staging']);
    expect((await search(`appId=${app.id}&search=duct`)).names).toEqual(['Acme production', 'Globex production']);
  });

  it('treats % and _ as the characters they are', async () => {
    expect((await search(`appId=${app.id}&search=${encodeURIComponent('100%')}`)).names).toEqual(['100% discount']);
    expect((await search(`appId=${app.id}&search=r_s`)).names).toEqual(['under_score']);
    expect((await search(`appId=${app.id}&search=${encodeURIComponent('%')}`)).names).toEqual(['100% discount']);
  });

  it('finds a key by its display prefix, or the start of it', async () => {
    const key = keys['Globex production'];
    expect((await search(`search=${key.prefix}`)).names).toEqual(['Globex production']);
    const shorter = key.prefix.slice(0, -1);
    expect((await search(`appId=${app.id}&search=${shorter}`)).names).toContain('Globex production');
    expect((await search(`appId=${app.id}&search=kw_live_`)).names).toHaveLength(5);
  });

  it('combines with the other filters and paginates', async () => {
    expect((await search(`appId=${app.id}&group=production&search=acme`)).names).toEqual(['Acme production']);
    const first = await search(`appId=${app.id}&search=o&limit=2`);
    expect(first.names).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await search(`appId=${app.id}&search=o&limit=2&cursor=${first.nextCursor}`);
    expect(second.names.some((name) => first.names.includes(name))).toBe(false);
  });

  it('never shows keys of another workspace', async () => {
    const other = await bootstrapWorkspace('key-search-other');
    const response = await rawRequest(api.baseUrl, '/v1/keys?search=acme', { apiKey: other.secret });
    expect((response.json as { data: AppKey[] }).data).toEqual([]);
  });

  it('refuses an empty or overlong search with 400', async () => {
    for (const value of ['', 'x'.repeat(101)]) {
      const response = await rawRequest(api.baseUrl, `/v1/keys?search=${value}`, { apiKey: workspace.secret });
      expectErrorEnvelope(response, { status: 400, code: 'VALIDATION_FAILED', message: /search/ });
    }
  });
});
