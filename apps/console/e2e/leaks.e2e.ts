import type { Alert, AppKey } from '@keywarden/core';
import type { Keywarden } from '@keywarden/sdk';
import { expect, expectAccessible, PHONE, screenshotsAt, shownSecret, test, uniqueName } from './fixtures';
import { seedSpike } from './seed';
import { client } from '../../api/test/harness';
import { stackValue } from './stack';

async function ownerGet<T>(path: string): Promise<T> {
  const response = await fetch(`${stackValue('baseUrl')}${path}`, { headers: { authorization: `Bearer ${stackValue('ownerKey')}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function appWithKey(owner: Keywarden, label: string, app: Parameters<Keywarden['apps']['create']>[0] | null = null) {
  const created = await owner.apps.create(app ?? { name: uniqueName(label), timezone: 'UTC' });
  const key = await owner.keys.create({ appId: created.id, name: `${label} key`, environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  return { app: created, key };
}

/** A spike on a key of an app that throttles on spikes: the detector contains the key. */
async function containedKey(owner: Keywarden): Promise<{ key: AppKey; alert: Alert }> {
  const { app, key } = await appWithKey(owner, 'contained', { name: uniqueName('contained'), timezone: 'UTC', containment: { spike: 'throttle' } });
  await seedSpike(stackValue('workspaceId'), app.id, key.id);
  await expect
    .poll(async () => (await owner.keys.get(key.id)).containment?.action ?? null, { timeout: 90_000, intervals: [1_000] })
    .toBe('throttle');
  const contained = await owner.keys.get(key.id);
  const alert = await owner.alerts.get(contained.containment!.alertId);
  return { key: contained, alert };
}

test('key page: Report leak names the leak response, revokes the key and links the leak alert', async ({ signedIn: page, owner }) => {
  const { key } = await appWithKey(owner, 'reported');
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'reported key' })).toBeVisible();
  await page.getByRole('button', { name: 'Report leak' }).click();
  const dialog = page.getByRole('dialog', { name: 'Report a leak of this key' });
  await expect(dialog).toContainText("This app's leak response is revoke.");
  await dialog.getByLabel(/Where it was found/).fill('support ticket 4711');
  await dialog.getByLabel(/URL/).fill('https://paste.example/abc');
  await expectAccessible(page);
  await screenshotsAt(page, 'report-leak-dialog');
  await dialog.getByRole('button', { name: 'Report leak' }).click();

  const outcome = page.getByRole('dialog', { name: 'Leak reported' });
  await expect(outcome.getByRole('status')).toHaveText('The key was revoked.');
  const alertLink = outcome.getByRole('link', { name: /^alrt_/ });
  const alertId = (await alertLink.textContent()) ?? '';
  const alert = await owner.alerts.get(alertId);
  expect(alert).toMatchObject({ type: 'leak', keyId: key.id });
  expect(alert.evidence).toMatchObject({ source: 'support ticket 4711', url: 'https://paste.example/abc', action: 'revoked' });
  // The key behind the dialog was refreshed: revoked, its actions gone.
  await expect(page.locator('.page-header').getByText('revoked', { exact: true })).toBeVisible();
  await screenshotsAt(page, 'report-leak-outcome');
  await alertLink.click();
  await expect(page.getByRole('heading', { name: 'leak alert' })).toBeVisible();
  expect((await owner.keys.get(key.id)).status).toBe('revoked');
});

test('key page: for a role without keys.revoke, Report leak is disabled and says what it needs', async ({ page, owner }) => {
  const { key } = await appWithKey(owner, 'guarded');
  const developer = await owner.adminKeys.create({ name: uniqueName('developer'), role: 'developer' });
  const response = await page.request.post('/v1/console/sessions', { data: { key: shownSecret(developer.secret) } });
  expect(response.status()).toBe(201);
  await page.goto(`/console/keys/${key.id}`);
  const report = page.getByRole('button', { name: 'Report leak' });
  await expect(report).toBeDisabled();
  await expect(report).toHaveAccessibleDescription('needs keys.revoke');
  await expect(page.getByRole('dialog', { name: 'Report a leak of this key' })).toBeHidden();
  expect((await owner.keys.get(key.id)).status).toBe('active');
  expect((await owner.alerts.list({ keyId: key.id })).data).toEqual([]);
});

test('key page: a contained key shows what is contained and by which alert', async ({ signedIn: page, owner }) => {
  test.setTimeout(120_000);
  const { key, alert } = await containedKey(owner);
  await page.goto(`/console/keys/${key.id}`);
  const card = page.getByRole('region', { name: 'Contained' });
  await expect(card).toContainText(`Throttled to ${key.containment!.rateLimitPerMinute} requests a minute`);
  await expect(card.getByRole('link', { name: `spike alert ${alert.id}` })).toHaveAttribute('href', `/console/alerts/${alert.id}`);
  await expectAccessible(page);
  await screenshotsAt(page, 'key-contained');
});

test("alert page: Lift containment, after a confirmation, frees the key and leaves the alert open", async ({ signedIn: page, owner }) => {
  test.setTimeout(120_000);
  const { key, alert } = await containedKey(owner);
  await page.goto(`/console/alerts/${alert.id}`);
  await expect(page.getByText('This alert contains its key: throttled')).toBeVisible();
  await page.getByRole('button', { name: 'Lift containment' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lift this containment?' });
  await expectAccessible(page);
  await screenshotsAt(page, 'lift-containment-dialog');
  await dialog.getByRole('button', { name: 'Lift containment' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Lift containment' })).toBeHidden();
  expect((await owner.keys.get(key.id)).containment).toBeNull();
  expect((await owner.alerts.get(alert.id)).status).not.toBe('resolved');
});

test('alert page: Resolve ends the containment, and the page stops offering to lift it at once', async ({ signedIn: page, owner }) => {
  test.setTimeout(120_000);
  const { key, alert } = await containedKey(owner);
  await page.goto(`/console/alerts/${alert.id}`);
  await expect(page.getByText('This alert contains its key: throttled')).toBeVisible();
  await page.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByRole('button', { name: 'Resolve' })).toBeHidden();
  expect((await owner.keys.get(key.id)).containment).toBeNull();
  await expect(page.getByText('This alert contains its key')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Lift containment' })).toBeHidden();
  // The key's page (the same cached key) no longer shows it contained either.
  await page.getByRole('link', { name: key.id }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Contained' })).toBeHidden();
});

test("members: revoking a member with their app keys shows those keys revoked at once, also where the console had just read them", async ({ signedIn: page, owner }) => {
  const name = uniqueName('leaver');
  const member = await owner.adminKeys.create({ name, role: 'admin' });
  shownSecret(member.secret);
  const app = await owner.apps.create({ name: uniqueName('leaver-app'), timezone: 'UTC' });
  const key = await client(stackValue('baseUrl'), member.secret).keys.create({ appId: app.id, name: 'leaver key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.locator('.page-header').getByText('active', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${name}?` });
  await dialog.getByLabel('App keys this member created').selectOption('revoke');
  await dialog.getByRole('button', { name: 'Revoke admin key' }).click();
  await expect(dialog).toBeHidden();
  expect((await owner.keys.get(key.id)).status).toBe('revoked');
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'leaver key' })).toBeVisible();
  await expect(page.locator('.page-header').getByText('revoked', { exact: true })).toBeVisible();
});

test('alert page: closing the Lift containment dialog with Cancel gives focus back to its button', async ({ signedIn: page, owner }) => {
  test.setTimeout(120_000);
  const { alert } = await containedKey(owner);
  await page.goto(`/console/alerts/${alert.id}`);
  const opener = page.getByRole('button', { name: 'Lift containment' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Lift this containment?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test('alert page: a canary alert lists its uses (time, IP, model, user agent) and draws no chart', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('canary'), timezone: 'UTC' });
  const canary = await owner.keys.create({ appId: app.id, name: 'decoy', environment: 'live', scopes: ['anything.read'], canary: true });
  await owner.verifyKey(shownSecret(canary.secret), { ip: '203.0.113.7', model: 'model-x', userAgent: 'curl/8.5.0' });
  await expect
    .poll(async () => (await owner.alerts.list({ keyId: canary.id, type: 'canary_used' })).data.length, { timeout: 30_000, intervals: [500] })
    .toBe(1);
  const [alert] = (await owner.alerts.list({ keyId: canary.id })).data;
  await page.goto(`/console/alerts/${alert.id}`);
  const uses = page.getByRole('table', { name: 'Canary uses' });
  const row = uses.getByRole('row').nth(1);
  await expect(row).toContainText('203.0.113.7');
  await expect(row).toContainText('model-x');
  await expect(row).toContainText('curl/8.5.0');
  await expect(page.getByRole('figure', { name: 'Observed vs expected requests per minute' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshotsAt(page, 'alert-canary');
});

test('alert page: a leak alert shows its reports, source, URL and the action taken, and draws no chart', async ({ signedIn: page, owner }) => {
  const { key } = await appWithKey(owner, 'pasted');
  const report = await owner.leaks.report({ keyId: key.id, source: 'pastebin', url: 'https://paste.example/xyz' });
  await page.goto(`/console/alerts/${report.alertId}`);
  const evidence = page.getByRole('region', { name: 'Evidence' });
  await expect(evidence).toContainText('pastebin');
  await expect(evidence.getByRole('link', { name: 'https://paste.example/xyz' }).first()).toBeVisible();
  await expect(evidence).toContainText('revoked the key');
  await expect(page.getByRole('table', { name: 'Leak reports' }).getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('figure', { name: 'Observed vs expected requests per minute' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshotsAt(page, 'alert-leak');
});

test('alert page: a long source without spaces wraps, at phone width too', async ({ signedIn: page, owner }) => {
  const { key } = await appWithKey(owner, 'long-source');
  const source = `github.com/acme-corp/${'internal-tools/'.repeat(10)}secrets.env`;
  const report = await owner.leaks.report({ keyId: key.id, source });
  await page.setViewportSize(PHONE);
  await page.goto(`/console/alerts/${report.alertId}`);
  await expect(page.getByRole('region', { name: 'Evidence' })).toContainText('secrets.env');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await screenshotsAt(page, 'alert-leak-long-source');
});

test('alerts list: the Type filter offers every alert type, leak and canary used included', async ({ signedIn: page, owner }) => {
  const { key } = await appWithKey(owner, 'typed');
  await owner.leaks.report({ keyId: key.id, source: 'chat' });
  await page.goto('/console/alerts');
  const type = page.getByLabel('Type');
  await expect(type.getByRole('option')).toHaveText(['Any', 'spike', 'unusual model', 'off hours', 'leak', 'canary used']);
  await type.selectOption('leak');
  await expect(page).toHaveURL(/type=leak/);
  await expect(page.getByRole('row').filter({ hasText: key.id })).toBeVisible();
  // Polled: the list may render again (a refetch) between the row appearing and the read.
  const types = page.getByRole('table', { name: 'Alerts' }).locator('tbody tr td:first-child');
  await expect.poll(async () => new Set(await types.allTextContents())).toEqual(new Set(['leak']));
});

test("alerts list: a key's page links to the alerts about that key, filtered by keyId", async ({ signedIn: page, owner }) => {
  const { app, key } = await appWithKey(owner, 'filtered');
  const other = await owner.keys.create({ appId: app.id, name: 'other key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(other.secret);
  await owner.leaks.report({ keyId: key.id, source: 'chat' });
  await owner.leaks.report({ keyId: other.id, source: 'chat' });
  await page.goto(`/console/keys/${key.id}`);
  await page.getByRole('link', { name: 'Alerts about this key' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/alerts\\?keyId=${key.id}$`));
  const rows = page.getByRole('table', { name: 'Alerts' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText(key.id);
  const listed = await ownerGet<{ data: Alert[] }>(`/v1/alerts?keyId=${key.id}`);
  expect(listed.data.map((alert) => alert.keyId)).toEqual([key.id]);
  await expectAccessible(page);
  await screenshotsAt(page, 'alerts-for-key');
  await page.getByRole('button', { name: 'All keys' }).click();
  await expect(page).not.toHaveURL(/keyId=/);
  await expect(page.getByRole('row').filter({ hasText: other.id })).toBeVisible();
});
