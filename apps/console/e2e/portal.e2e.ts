import type { App, Customer, Keywarden, PortalPermission } from '@keywarden/sdk';
import type { Page } from '@playwright/test';
import { client, WebhookReceiver } from '../../api/test/harness';
import { expect, expectAccessible, PHONE, screenshots, shownSecret, test, uniqueName, WIDE } from './fixtures';
import { stackValue } from './stack';

/**
 * The customer portal as a customer meets it: opened from a single-use link the platform
 * made for them, branded as the platform's app, showing their own keys, usage, alerts and
 * webhook endpoints and nothing of anyone else's.
 */

const ALL: PortalPermission[] = ['keys.read', 'keys.create', 'keys.rotate', 'keys.revoke', 'usage.read', 'alerts.read', 'webhooks.manage'];
const EMBEDDER = 'https://app.acme.test';
const LOGO_URL = 'https://cdn.acme.test/logo.svg';
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="12" fill="#0f766e"/><text x="32" y="42" font-size="28" text-anchor="middle" fill="#fff" font-family="sans-serif">A</text></svg>';

let app: App;
let receiver: WebhookReceiver;

test.beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
});

test.afterAll(async () => {
  await receiver?.stop();
});

test.beforeEach(async ({ owner, page }) => {
  app ??= await owner.apps.create({
    name: uniqueName('acme-ai'),
    scopeCatalog: ['generation.create', 'embeddings.create', 'vector.search'],
    portal: { displayName: 'Acme AI', logoUrl: LOGO_URL, accentColor: '#0f766e', supportUrl: 'https://acme.test/help', allowedEmbedOrigins: [EMBEDDER] },
  });
  // The logo's host is not reachable from the test machine: the browser gets it from here.
  await page.route(LOGO_URL, (route) => route.fulfill({ contentType: 'image/svg+xml', body: LOGO }));
});

function customer(owner: Keywarden, name: string): Promise<Customer> {
  return owner.customers.create({ externalId: uniqueName(name), name });
}

/**
 * A single-use link for the customer, limited to the app unless `allApps`; its token is a
 * secret the logs must not show.
 */
async function portalLink(owner: Keywarden, of: Customer, permissions: PortalPermission[] = ALL, allApps = false): Promise<string> {
  const link = await owner.portal.createSession({ customerId: of.id, ...(allApps ? {} : { appId: app.id }), permissions });
  shownSecret(new URL(link.url).hash.slice('#token='.length));
  return link.url;
}

/** Opens the link in a page and waits for the portal's first page. */
async function openPortal(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
}

test('a portal link opens once: its token leaves the address bar, and a second use is refused with a clear page', async ({ page, owner, browser }) => {
  const alice = await customer(owner, 'alice');
  const url = await portalLink(owner, alice);
  await openPortal(page, url);
  await expect(page.getByRole('heading', { name: 'API keys' })).toBeVisible();
  expect(page.url()).toBe(`${new URL(url).origin}/portal/${app.id}/keys`);
  const kept = await page.evaluate(() => ({
    history: history.state,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookies: document.cookie,
  }));
  expect(kept).toEqual({ history: expect.not.stringContaining('token'), local: '{}', session: '{}', cookies: '' });

  const elsewhere = await browser.newContext();
  try {
    const second = await elsewhere.newPage();
    await second.goto(url);
    await expect(second.getByRole('heading', { name: 'This portal link cannot be used' })).toBeVisible();
    await expect(second.getByRole('alert')).toContainText('Portal link is invalid, expired or already used');
    expect(second.url()).not.toContain('token');
    await expectAccessible(second);
    await screenshots(second, 'portal-link-refused');
  } finally {
    await elsewhere.close();
  }
});

test('signing out ends the session: the page says so, and going back or reloading opens nothing', async ({ page, owner }) => {
  const alice = await customer(owner, 'alice');
  await openPortal(page, await portalLink(owner, alice));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'You have signed out' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'portal-signed-out');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Your portal session has ended' })).toBeVisible();
  await page.goto(`/portal/${app.id}/keys`);
  await expect(page.getByRole('heading', { name: 'Your portal session has ended' })).toBeVisible();
  const ended = await owner.audit.list({ action: 'portal_session.ended', limit: 1 });
  expect(ended.data[0]).toMatchObject({ actor: `portal:${alice.id}`, targetId: alice.id });
});

test("a customer whose session ended meanwhile (its link's admin key revoked) signs out without an error, and the dead cookie goes", async ({ page, owner }) => {
  const alice = await customer(owner, 'alice');
  const linkMaker = await owner.adminKeys.create({ name: uniqueName('link-maker'), role: 'admin' });
  await openPortal(page, await portalLink(client(stackValue('baseUrl'), linkMaker.secret), alice));

  await owner.adminKeys.revoke(linkMaker.id);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'You have signed out' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await page.context().cookies()).toEqual([]);
});

test("a customer sees only their own keys: another customer's key is neither listed nor reachable by its address; rotating their own", async ({ page, owner }) => {
  const [alice, bob] = await Promise.all([customer(owner, 'alice'), customer(owner, 'bob')]);
  const mine = await owner.keys.create({ appId: app.id, customerId: alice.id, name: 'alice production', environment: 'live', scopes: ['generation.create'] });
  const theirs = await owner.keys.create({ appId: app.id, customerId: bob.id, name: 'bob secret project', environment: 'live', scopes: ['generation.create'] });
  shownSecret(mine.secret);
  shownSecret(theirs.secret);
  await openPortal(page, await portalLink(owner, alice));
  const keys = page.getByRole('table', { name: 'Your API keys' });
  await expect(keys.getByRole('link', { name: 'alice production' })).toBeVisible();
  await expect(keys).not.toContainText('bob secret project');
  await expect(keys).not.toContainText(theirs.prefix);

  await page.goto(`/portal/${app.id}/keys/${theirs.id}`);
  await expect(page.getByRole('alert')).toContainText('Key not found');
  expect(await page.content()).not.toContain('bob secret project');
  expect(await page.content()).not.toContain(theirs.prefix);

  await page.goto(`/portal/${app.id}/keys/${mine.id}`);
  await expect(page.getByRole('heading', { name: 'alice production' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'portal-key');

  // Rotating without a grace period: the new secret shown once, the old one refused at once.
  await page.getByRole('button', { name: 'Rotate' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate key' });
  await rotate.getByLabel('Grace period for the current secret').selectOption({ label: 'None: the old secret stops now' });
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: 'Key rotated' });
  const newSecret = shownSecret((await rotated.getByLabel('New key').textContent()) ?? '');
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  expect(await page.content()).not.toContain(newSecret);
  expect((await owner.verifyKey(newSecret)).valid).toBe(true);
  expect((await owner.verifyKey(mine.secret)).valid).toBe(false);
});

test('an expired key in the portal offers Rotate disabled, saying what the customer can do', async ({ page, owner }) => {
  const dave = await customer(owner, 'dave');
  const key = await owner.keys.create({
    appId: app.id,
    customerId: dave.id,
    name: 'dave expired',
    environment: 'live',
    scopes: ['generation.create'],
    expiresAt: new Date(Date.now() + 1_000).toISOString(),
  });
  shownSecret(key.secret);
  await expect.poll(async () => (await owner.verifyKey(key.secret)).code, { timeout: 10_000 }).toBe('KEY_EXPIRED');
  await openPortal(page, await portalLink(owner, dave));
  await page.goto(`/portal/${app.id}/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'dave expired' })).toBeVisible();
  const rotate = page.getByRole('button', { name: 'Rotate' });
  await expect(rotate).toBeDisabled();
  await expect(rotate).toHaveAccessibleDescription('expired: create a new key');
  await expect(page.getByText('expired: create a new key')).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'portal-rotate-expired');
  await page.setViewportSize(PHONE);
  await expect(page.getByText('expired: create a new key')).toBeInViewport();
  await page.setViewportSize(WIDE);
  expect((await owner.keys.get(key.id)).secrets).toHaveLength(1);
});

test('create a key in the portal, its secret shown once; revoke it, and it fails verify', async ({ page, owner }) => {
  const carol = await customer(owner, 'carol');
  await openPortal(page, await portalLink(owner, carol, ['keys.read', 'keys.create', 'keys.revoke']));
  await expect(page.getByText('No keys yet')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await dialog.getByLabel('Name', { exact: true }).fill('carol laptop');
  await dialog.getByRole('checkbox', { name: 'generation.create' }).check();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  const secret = shownSecret((await created.getByLabel('New key').textContent()) ?? '');
  expect(secret).toMatch(/^kw_live_/);
  await screenshots(page, 'portal-key-created');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  expect(await page.content()).not.toContain(secret);
  expect(await owner.verifyKey(secret, { scope: 'generation.create' })).toMatchObject({ valid: true, customer: { id: carol.id } });
  await expectAccessible(page);
  await screenshots(page, 'portal-keys');

  await page.getByRole('link', { name: 'carol laptop' }).click();
  // This session may revoke but not rotate.
  await expect(page.getByRole('button', { name: 'Revoke' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rotate' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog', { name: 'Revoke this key?' }).getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByText('revoked', { exact: true })).toBeVisible();
  expect((await owner.verifyKey(secret)).code).toBe('KEY_REVOKED');
  const [entry] = (await owner.audit.list({ action: 'key.revoked', targetId: (await owner.keys.list({ customerId: carol.id })).data[0].id })).data;
  expect(entry.actor).toBe(`portal:${carol.id}`);
});

test('a portal opened for all apps creates a key in the app the customer chooses', async ({ page, owner }) => {
  const gina = await customer(owner, 'gina');
  const other = await owner.apps.create({ name: uniqueName('beta-ai'), environments: ['live', 'sandbox'], scopeCatalog: ['vector.search'] });
  await openPortal(page, await portalLink(owner, gina, ['keys.read', 'keys.create'], true));
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await expect(dialog.getByRole('button', { name: 'Create key' })).toBeDisabled();
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: other.name });
  await dialog.getByLabel('Name', { exact: true }).fill('gina sandbox');
  await dialog.getByLabel('Environment').selectOption('sandbox');
  // The chosen app's catalog, not another app's.
  await expect(dialog.getByRole('checkbox', { name: 'generation.create' })).toHaveCount(0);
  await dialog.getByRole('checkbox', { name: 'vector.search' }).check();
  await expectAccessible(page);
  await screenshots(page, 'portal-all-apps-create-key');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  const secret = shownSecret((await created.getByLabel('New key').textContent()) ?? '');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  expect(await owner.verifyKey(secret, { scope: 'vector.search' })).toMatchObject({ valid: true, appId: other.id, env: 'sandbox', customer: { id: gina.id } });
});

test('a portal opened for all apps adds a webhook endpoint in the app the customer chooses', async ({ page, owner }) => {
  const hana = await customer(owner, 'hana');
  await openPortal(page, await portalLink(owner, hana, ['webhooks.manage'], true));
  await expect(page.getByText('No webhook endpoints')).toBeVisible();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
  await dialog.getByLabel('URL (http or https)').fill(`${receiver.baseUrl}/hana`);
  await expect(dialog.getByRole('button', { name: 'Add endpoint' })).toBeDisabled();
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await expectAccessible(page);
  await screenshots(page, 'portal-all-apps-add-endpoint');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  const created = page.getByRole('dialog', { name: 'Endpoint created' });
  shownSecret((await created.getByLabel('New signing secret').textContent()) ?? '');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByRole('table', { name: 'Webhook endpoints' })).toContainText(`${receiver.baseUrl}/hana`);
  expect((await owner.webhooks.list({ customerId: hana.id })).data).toMatchObject([{ appId: app.id, customerId: hana.id }]);
});

test("a portal opened for all apps names each webhook endpoint's app, so one URL in two apps reads as two endpoints", async ({ page, owner }) => {
  const ivy = await customer(owner, 'ivy');
  const [alpha, beta] = await Promise.all([owner.apps.create({ name: uniqueName('alpha-ai') }), owner.apps.create({ name: uniqueName('beta-ai') })]);
  const url = `${receiver.baseUrl}/${uniqueName('ivy')}`;
  for (const each of [alpha, beta]) shownSecret((await owner.webhooks.create({ appId: each.id, customerId: ivy.id, url })).secret);
  await openPortal(page, await portalLink(owner, ivy, ['webhooks.manage'], true));
  await page.getByRole('link', { name: 'Webhooks' }).click();
  const table = page.getByRole('table', { name: 'Webhook endpoints' });
  for (const each of [alpha, beta]) {
    const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: each.name, exact: true }) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(url);
    await expect(row.getByRole('button', { name: `Delete ${url} in ${each.name}`, exact: true })).toBeVisible();
  }
  await expectAccessible(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshots(page, 'portal-all-apps-webhooks');
});

test('a portal opened for one app lists its webhook endpoints without an App column', async ({ page, owner }) => {
  const jun = await customer(owner, 'jun');
  shownSecret((await owner.webhooks.create({ appId: app.id, customerId: jun.id, url: `${receiver.baseUrl}/${uniqueName('jun')}` })).secret);
  await openPortal(page, await portalLink(owner, jun, ['webhooks.manage']));
  await page.getByRole('link', { name: 'Webhooks' }).click();
  const table = page.getByRole('table', { name: 'Webhook endpoints' });
  await expect(table.getByRole('columnheader', { name: 'URL' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'App', exact: true })).toHaveCount(0);
});

test('a key named like markup renders as text in the portal', async ({ page, owner }) => {
  const dave = await customer(owner, 'dave');
  const name = '<img src=x onerror=alert(1)>';
  shownSecret((await owner.keys.create({ appId: app.id, customerId: dave.id, name, environment: 'live', scopes: ['generation.create'] })).secret);
  await openPortal(page, await portalLink(owner, dave));
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
});

test('usage and spend, alerts and webhook endpoints, in the branding of the app', async ({ page, owner }) => {
  const erin = await customer(owner, 'erin');
  const key = await owner.keys.create({ appId: app.id, customerId: erin.id, name: 'erin agents', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  for (let i = 0; i < 4; i++) await owner.verifyKey(key.secret, { scope: 'generation.create', cost: 0.25 });
  await owner.verifyKey(key.secret, { scope: 'vector.search' });
  await openPortal(page, await portalLink(owner, erin));
  // Branding: the app's display name, logo and accent colour.
  await expect(page).toHaveTitle('Acme AI');
  await expect(page.locator('.brand')).toContainText('Acme AI');
  await expect(page.locator('img.brand-logo')).toHaveJSProperty('naturalWidth', 64);
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe('#0f766e');

  await page.getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByRole('figure', { name: 'Requests by outcome' }).locator('.recharts-line-curve').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('figure', { name: 'Spend' }).locator('.recharts-line-curve')).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Requests by outcome' })).toContainText('5 requests');
  await expectAccessible(page);
  await screenshots(page, 'portal-usage');

  await page.getByRole('link', { name: 'Alerts' }).click();
  await expect(page.getByText('No alerts about your keys')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByText('No webhook endpoints')).toBeVisible();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
  await dialog.getByLabel('URL (http or https)').fill(`${receiver.baseUrl}/erin`);
  // A canary's use is announced app-wide only: a customer's endpoint never hears of it.
  await expect(dialog.getByRole('checkbox', { name: 'alert.canary_used' })).toHaveCount(0);
  await dialog.getByRole('checkbox', { name: 'alert.spike' }).check();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  const created = page.getByRole('dialog', { name: 'Endpoint created' });
  const secret = shownSecret((await created.getByLabel('New signing secret').textContent()) ?? '');
  // Deliveries are signed with it: it is kept encrypted, not as a hash.
  await expect(created.getByRole('status')).toContainText('stores it encrypted');
  await expect(created.getByRole('status')).not.toContainText('hash');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  expect(await page.content()).not.toContain(secret);
  await expect(page.getByRole('table', { name: 'Webhook endpoints' })).toContainText(`${receiver.baseUrl}/erin`);
  const [endpoint] = (await owner.webhooks.list({ customerId: erin.id })).data;
  expect(endpoint).toMatchObject({ appId: app.id, customerId: erin.id, url: `${receiver.baseUrl}/erin` });
  await expectAccessible(page);
  await screenshots(page, 'portal-webhooks');

  await page.getByRole('button', { name: `Delete ${receiver.baseUrl}/erin` }).click();
  await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
  await expect(page.getByText('No webhook endpoints')).toBeVisible();
  expect((await owner.webhooks.list({ customerId: erin.id })).data).toEqual([]);
});

test("at phone width the portal's pages fold behind a menu button", async ({ page, owner }) => {
  const fay = await customer(owner, 'fay');
  await page.setViewportSize(PHONE);
  await openPortal(page, await portalLink(owner, fay));
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(page.getByRole('link', { name: 'Webhooks' })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  const webhooks = page.getByRole('link', { name: 'Webhooks' });
  await expect(webhooks).toBeInViewport({ ratio: 1 });
  await webhooks.click();
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expectAccessible(page);
  await page.setViewportSize(WIDE);
});

test("portal pages may be framed by the app's embed origins only; pages of no app and console pages by nobody", async ({ page }) => {
  for (const path of [`/portal/${app.id}`, `/portal/${app.id}/keys/key_00000000000000000000000000`]) {
    const headers = (await page.request.get(path)).headers();
    expect(headers['content-security-policy']).toContain(`frame-ancestors ${EMBEDDER}`);
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-frame-options']).toBeUndefined();
  }
  for (const path of ['/portal', '/portal/keys', '/portal/app_00000000000000000000000000', '/console/customers']) {
    const headers = (await page.request.get(path)).headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-frame-options']).toBe('DENY');
  }
});

test("the app's settings page sets the portal's branding and embed origins; the app's portal pages may then be framed there", async ({ signedIn: page, owner }) => {
  const other = await owner.apps.create({ name: uniqueName('embedded') });
  expect((await page.request.get(`/portal/${other.id}`)).headers()['x-frame-options']).toBe('DENY');
  await page.goto(`/console/apps/${other.id}`);
  const origins = page.getByLabel(/Embed origins/);
  await origins.fill('https://app.globex.test/portal');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert')).toContainText('must be origins like https://app.example.com');

  await page.getByLabel('Display name').fill('Globex AI');
  await page.getByLabel(/Accent colour/).fill('#7c3aed');
  await origins.fill('https://app.globex.test\nhttps://admin.globex.test:8443');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  expect((await owner.apps.get(other.id)).portal).toEqual({
    displayName: 'Globex AI',
    accentColor: '#7c3aed',
    allowedEmbedOrigins: ['https://app.globex.test', 'https://admin.globex.test:8443'],
  });
  const headers = (await page.request.get(`/portal/${other.id}/keys`)).headers();
  expect(headers['content-security-policy']).toContain('frame-ancestors https://app.globex.test https://admin.globex.test:8443');
  expect(headers['x-frame-options']).toBeUndefined();
});

test('revoking in the portal says it is final, without pointing to a disable the portal does not have', async ({ page, owner }) => {
  const frank = await customer(owner, 'frank');
  const key = await owner.keys.create({ appId: app.id, customerId: frank.id, name: 'frank ci', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  await openPortal(page, await portalLink(owner, frank, ['keys.read', 'keys.revoke']));
  await page.getByRole('link', { name: 'frank ci' }).click();
  await page.getByRole('button', { name: 'Revoke' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
  await expect(confirm).toContainText('Revocation is final');
  await expect(confirm).not.toContainText(/disable/i);
  await screenshots(page, 'portal-revoke');
});

test("closing a webhook endpoint's Delete dialog with Cancel gives focus back to the row's Delete button", async ({ page, owner }) => {
  const grace = await customer(owner, 'grace');
  const url = `${receiver.baseUrl}/${uniqueName('grace')}`;
  await owner.webhooks.create({ appId: app.id, customerId: grace.id, url });
  await openPortal(page, await portalLink(owner, grace, ['keys.read', 'webhooks.manage']));
  await page.getByRole('link', { name: 'Webhooks' }).click();
  const opener = page.getByRole('button', { name: `Delete ${url}` });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Delete this endpoint?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});
