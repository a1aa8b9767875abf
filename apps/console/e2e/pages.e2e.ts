import type { Keywarden } from '@keywarden/sdk';
import type { Locator, Page } from '@playwright/test';
import { bootstrapWorkspace, client } from '../../api/test/harness';
import { createMemberIn, expect, expectAccessible, PHONE, screenshots, screenshotsAt, shownSecret, test, uniqueName } from './fixtures';
import { stackValue } from './stack';

const VALID_GREEN = '#16a34a';
const DESKTOP = { width: 1440, height: 900 };

test('overview: verifies per minute, refusals by code, open alerts', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('overview'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'busy key', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  for (let i = 0; i < 5; i++) await owner.verifyKey(key.secret, { scope: 'generation.create' });
  await owner.verifyKey(key.secret, { scope: 'vector.search' });
  await page.goto('/console/');
  await page.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await expect(page.getByRole('figure', { name: 'Requests per minute by outcome' }).locator('.recharts-line-curve').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('table', { name: 'Refusals by code' })).toContainText('INSUFFICIENT_PERMISSIONS');
  await expectAccessible(page);
  await screenshots(page, 'overview');
});

/**
 * An app whose two keys answered four outcomes in the last hour: the first VALID and
 * RATE_LIMITED, the second INSUFFICIENT_PERMISSIONS and KEY_REVOKED. Returns once the
 * app's usage shows all four.
 */
async function appWithFourOutcomes(owner: Keywarden) {
  const app = await owner.apps.create({ name: uniqueName('outcomes'), scopeCatalog: ['generation.create', 'vector.search'] });
  const limited = await owner.keys.create({
    appId: app.id,
    name: 'limited key',
    environment: 'live',
    scopes: ['generation.create'],
    policy: { rateLimits: { perMinute: 1 } },
  });
  const refused = await owner.keys.create({ appId: app.id, name: 'refused key', environment: 'live', scopes: ['generation.create'] });
  expect((await owner.verifyKey(shownSecret(limited.secret))).code).toBe('VALID');
  expect((await owner.verifyKey(limited.secret)).code).toBe('RATE_LIMITED');
  expect((await owner.verifyKey(shownSecret(refused.secret), { scope: 'vector.search' })).code).toBe('INSUFFICIENT_PERMISSIONS');
  await owner.keys.revoke(refused.id);
  expect((await owner.verifyKey(refused.secret)).code).toBe('KEY_REVOKED');
  const lastHour = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
  await expect
    .poll(async () => {
      const usage = await owner.usage.query({ appId: app.id, granularity: 'minute', groupBy: 'outcome', ...lastHour });
      return new Set(usage.series.map((point) => point.outcome)).size;
    }, { timeout: 30_000, intervals: [500] })
    .toBe(4);
  return { app, limited };
}

/** A chart's legend as outcome → the colour of its line, once it lists `count` outcomes. */
async function legendColours(chart: Locator, count: number): Promise<Record<string, string>> {
  const items = chart.locator('.recharts-legend-item');
  await expect(items).toHaveCount(count);
  const entries = await items.evaluateAll((elements) =>
    elements.map((element) => [element.textContent?.trim() ?? '', element.querySelector('[stroke]')?.getAttribute('stroke') ?? '']),
  );
  return Object.fromEntries(entries);
}

test('on the overview every outcome has a colour of its own, and only VALID is green', async ({ signedIn: page, owner }) => {
  const { app } = await appWithFourOutcomes(owner);
  await page.setViewportSize(DESKTOP);
  await page.goto('/console/');
  await page.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  const colours = await legendColours(page.getByRole('figure', { name: 'Requests per minute by outcome' }), 4);
  expect(new Set(Object.values(colours)).size).toBe(4);
  expect(Object.entries(colours).filter(([, colour]) => colour === VALID_GREEN)).toEqual([['VALID', VALID_GREEN]]);
  await screenshots(page, 'overview-outcome-colours');
});

test("an outcome's colour on a key's page is the one it has on the overview", async ({ signedIn: page, owner }) => {
  const { app, limited } = await appWithFourOutcomes(owner);
  await page.goto('/console/');
  await page.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  const overview = await legendColours(page.getByRole('figure', { name: 'Requests per minute by outcome' }), 4);
  await page.setViewportSize(DESKTOP);
  await page.goto(`/console/keys/${limited.id}`);
  const keyPage = await legendColours(page.getByRole('figure', { name: 'Requests by outcome' }), 2);
  expect(keyPage).toEqual({ RATE_LIMITED: overview.RATE_LIMITED, VALID: overview.VALID });
  await screenshots(page, 'key-outcome-colours');
});

test('for a role that may not read alerts, the Open alerts tile says so and names the scope, and no alert is asked for', async ({ page, owner }) => {
  await owner.apps.create({ name: uniqueName('alerts-unreadable') });
  const developer = await owner.adminKeys.create({ name: uniqueName('developer'), role: 'developer' });
  const signIn = await page.request.post('/v1/console/sessions', { data: { key: shownSecret(developer.secret) } });
  expect(signIn.status()).toBe(201);
  await page.setViewportSize(DESKTOP);
  const alertRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/v1/alerts') alertRequests.push(request.url());
  });
  await page.goto('/console/');
  await expect(page.locator('.stat', { hasText: 'Open alerts' })).toContainText('No access');
  await expect(page.locator('.stat', { hasText: 'Open alerts' })).toContainText('needs alerts.read');
  await expect(page.getByRole('region', { name: 'Open alerts' })).toContainText('Your admin key lacks alerts.read');
  await expect(page.getByRole('figure', { name: 'Requests per minute by outcome' }).or(page.getByText('No traffic in the last hour'))).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(alertRequests).toEqual([]);
  await screenshots(page, 'overview-no-alerts-access');
});

test('audit log lists what was done, filterable by action', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('audited') });
  await page.goto('/console/audit');
  await page.getByLabel('Action').selectOption('app.created');
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText(app.id);
  await expectAccessible(page);
  await screenshots(page, 'audit');
});

test("audit log names the customer portal as the actor of a portal action, and the admin key of the console's", async ({ signedIn: page, owner, playwright }) => {
  const app = await owner.apps.create({ name: uniqueName('portal-audited') });
  const customer = await owner.customers.create({ externalId: uniqueName('audited-customer'), name: 'Audited customer' });
  const link = await owner.portal.createSession({ customerId: customer.id, appId: app.id, permissions: ['keys.read'] });
  const token = shownSecret(new URL(link.url).hash.slice('#token='.length));
  // The customer's browser opens the link: the portal session is opened by the customer.
  const customerBrowser = await playwright.request.newContext({ baseURL: new URL(link.url).origin });
  try {
    expect((await customerBrowser.post('/v1/portal/exchange', { data: { token } })).status()).toBe(204);
  } finally {
    await customerBrowser.dispose();
  }
  const me = await owner.me();
  await page.goto(`/console/audit?targetId=${customer.id}`);
  const table = page.getByRole('table', { name: 'Audit log' });
  await expect(table.getByRole('row').filter({ hasText: 'portal_session.opened' })).toContainText(`portal:${customer.id}`);
  await expect(table.getByRole('row').filter({ hasText: 'portal_session.created' })).toContainText(me.keyId);
  await expect(table).not.toContainText('system');
  await screenshots(page, 'audit-portal-actor');

  // Filtered by that actor: the customer's own entries only.
  await page.goto('/console/audit');
  await page.getByLabel('Actor (key id or portal:cus_…)').fill(`portal:${customer.id}`);
  await expect(page).toHaveURL(new RegExp(`actor=portal%3A${customer.id}`));
  await expect(table.getByRole('row').filter({ hasText: 'portal_session.opened' })).toContainText(`portal:${customer.id}`);
  await expect(table.getByRole('row').filter({ hasText: 'portal_session.created' })).toHaveCount(0);
});

test('members: add an admin key with a role, its key shown once; revoke it', async ({ signedIn: page }) => {
  const name = uniqueName('teammate');
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a member' });
  await dialog.getByLabel('Role').selectOption('viewer');
  const secret = await createMemberIn(page, dialog, name);
  expect(secret).toMatch(/^kw_admin_/);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('viewer');
  await expectAccessible(page);
  await screenshots(page, 'members');

  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByRole('dialog', { name: `Revoke ${name}?` }).getByRole('button', { name: 'Revoke admin key' }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('revoked');
  const refused = await page.request.get('/v1/me', { headers: { authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
});

test('at 375 px the console fits: its pages fold behind a menu button, every one reachable', async ({ signedIn: page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/console/');
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await menu.click();
  const webhooks = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' });
  await expect(webhooks).toBeInViewport({ ratio: 1 });
  await expectAccessible(page);
  await webhooks.click();
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(webhooks).toBeHidden();
});

test('closing a dialog with Escape gives focus back to the button that opened it', async ({ signedIn: page }) => {
  await page.goto('/console/keys');
  const opener = page.getByRole('button', { name: 'Create key' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test('closing a dialog with Cancel gives focus back to the button that opened it', async ({ signedIn: page }) => {
  await page.goto('/console/members');
  const opener = page.getByRole('button', { name: 'Add member' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Add a member' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

/** A fresh key, its page open in the browser. */
async function onNewKeyPage(page: Page, owner: Keywarden, label: string): Promise<void> {
  const app = await owner.apps.create({ name: uniqueName(label) });
  const key = await owner.keys.create({ appId: app.id, name: `${label} key`, environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: `${label} key` })).toBeVisible();
}

/** Opens the dialog from its button, cancels it, and expects keyboard focus back on the button. */
test("members: the workspace's last owner key offers no Revoke that must fail and says why, until another owner key exists", async ({ page }) => {
  const lone = await bootstrapWorkspace('console-last-owner');
  expect((await page.request.post('/v1/console/sessions', { data: { key: lone.secret } })).status()).toBe(201);
  await page.goto('/console/members');
  const revokeLastOwner = page.getByRole('button', { name: /^Revoke / });
  await expect(revokeLastOwner).toBeDisabled();
  await expect(revokeLastOwner).toHaveAccessibleDescription('last owner key: add another owner key first');
  await expect(page.getByText('last owner key: add another owner key first', { exact: true })).toBeVisible();
  await expectAccessible(page);
  await screenshotsAt(page, 'members-last-owner');
  // On a phone the reason stays within the screen's width, not cut off or scrolled out of sight.
  await page.setViewportSize(PHONE);
  const reason = await page.getByText('last owner key: add another owner key first', { exact: true }).boundingBox();
  expect(reason && reason.x >= 0 && reason.x + reason.width <= PHONE.width).toBe(true);

  const successor = await client(stackValue('baseUrl'), lone.secret).adminKeys.create({ name: uniqueName('successor'), role: 'owner' });
  shownSecret(successor.secret);
  await page.reload();
  await expect(page.getByRole('button', { name: /^Revoke / })).toHaveCount(2);
  for (const revoke of await page.getByRole('button', { name: /^Revoke / }).all()) await expect(revoke).toBeEnabled();
});

async function expectFocusBackAfterCancel(opener: Locator, dialog: Locator): Promise<void> {
  await opener.click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
}

/** A fresh admin key, the members page open in the browser. */
async function onMembersPageWithMember(page: Page, owner: Keywarden, label: string): Promise<string> {
  const name = uniqueName(label);
  shownSecret((await owner.adminKeys.create({ name, role: 'viewer' })).secret);
  await page.goto('/console/members');
  await expect(page.getByRole('row', { name: new RegExp(name) })).toBeVisible();
  return name;
}

for (const [action, dialogName] of [
  ['Revoke', 'Revoke this key?'],
  ['Disable', 'Disable this key?'],
  ['Report leak', 'Report a leak of this key'],
] as const) {
  test(`closing the key page's ${action} dialog with Cancel gives focus back to its button`, async ({ signedIn: page, owner }) => {
    await onNewKeyPage(page, owner, `${action.toLowerCase().replace(' ', '-')}-cancel`);
    await expectFocusBackAfterCancel(page.getByRole('button', { name: action, exact: true }), page.getByRole('dialog', { name: dialogName }));
  });
}

test("closing the key page's Revoke dialog with Escape gives focus back to its button", async ({ signedIn: page, owner }) => {
  await onNewKeyPage(page, owner, 'revoke-escape');
  const opener = page.getByRole('button', { name: 'Revoke', exact: true });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test("confirming the key page's Rotate puts focus on copying the new secret, the confirm button being gone", async ({ signedIn: page, owner }) => {
  await onNewKeyPage(page, owner, 'rotate-focus');
  await page.getByRole('button', { name: 'Rotate', exact: true }).click();
  await page.getByRole('dialog', { name: 'Rotate key' }).getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: 'Key rotated' });
  shownSecret((await rotated.getByLabel('New key').textContent()) ?? '');
  await expect(rotated.getByRole('button', { name: 'Copy key' })).toBeFocused();
});

test("closing a member's Revoke dialog with Cancel gives focus back to its button", async ({ signedIn: page, owner }) => {
  const name = await onMembersPageWithMember(page, owner, 'member-cancel');
  await expectFocusBackAfterCancel(page.getByRole('button', { name: `Revoke ${name}` }), page.getByRole('dialog', { name: `Revoke ${name}?` }));
});

test('the Report leak dialog opens with empty fields after a Cancel', async ({ signedIn: page, owner }) => {
  await onNewKeyPage(page, owner, 'leak-reset');
  const opener = page.getByRole('button', { name: 'Report leak', exact: true });
  const dialog = page.getByRole('dialog', { name: 'Report a leak of this key' });
  await opener.click();
  await dialog.getByLabel(/Where it was found/).fill('support ticket 4711');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await opener.click();
  await expect(dialog.getByLabel(/Where it was found/)).toHaveValue('');
});

test("a member's Revoke dialog asks again about their app keys after a Cancel", async ({ signedIn: page, owner }) => {
  const name = await onMembersPageWithMember(page, owner, 'member-reset');
  const opener = page.getByRole('button', { name: `Revoke ${name}` });
  const dialog = page.getByRole('dialog', { name: `Revoke ${name}?` });
  await opener.click();
  await dialog.getByLabel('App keys this member created').selectOption('revoke');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await opener.click();
  await expect(dialog.getByLabel('App keys this member created')).toHaveValue('');
});

test("confirming the key page's Revoke puts focus on the page's heading, the Revoke button being gone", async ({ signedIn: page, owner }) => {
  await onNewKeyPage(page, owner, 'revoke-confirm');
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'revoke-confirm key' })).toBeFocused();
});

test("confirming a member's Revoke puts focus on the page's heading, their Revoke button being gone", async ({ signedIn: page, owner }) => {
  const name = await onMembersPageWithMember(page, owner, 'member-confirm');
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${name}?` });
  await dialog.getByRole('button', { name: 'Revoke admin key' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Members' })).toBeFocused();
});
