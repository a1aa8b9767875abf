import type { Keywarden } from '@keywarden/sdk';
import type { Page } from '@playwright/test';
import { sql } from '../../api/test/policy/helpers';
import { expect, expectAccessible, PHONE, screenshots, screenshotsAt, shownSecret, test, uniqueName, WIDE } from './fixtures';

const UNREACHABLE = 'Could not reach the Keywarden API';

/** Words of the given cells that the layout split over two lines. */
function splitWords(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((cells) => {
    const split: string[] = [];
    for (const cell of cells) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
          if (lines.size > 1) split.push(match[0]);
        }
      }
    }
    return split;
  });
}

test('create an app and a key, copy the secret once; reopened, the secret is nowhere in the DOM', async ({ signedIn: page, owner, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const appName = uniqueName('generation');
  await page.goto('/console/apps');
  await page.getByRole('button', { name: 'Create app' }).click();
  const createApp = page.getByRole('dialog', { name: 'Create an app' });
  await createApp.getByLabel('Name', { exact: true }).fill(appName);
  await createApp.getByLabel(/Scope catalog/).fill('generation.create\nembeddings.create\nvector.search');
  await createApp.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { name: appName })).toBeVisible();
  // The default applies to the app's existing keys too, not only to new ones.
  await expect(page.getByRole('group', { name: "Default policy of the app's keys" })).toContainText('new or existing');
  await expectAccessible(page);
  await screenshots(page, 'app-settings');

  await page.getByRole('link', { name: 'Keys', exact: true }).click();
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: appName });
  await dialog.getByLabel('Name', { exact: true }).fill('acme production');
  await dialog.getByLabel(/Group/).fill('production');
  await dialog.getByRole('checkbox', { name: 'generation.create' }).check();
  await dialog.getByText('Policy (rate limits').click();
  await dialog.getByLabel('Requests per minute').fill('120');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Create key' }).click();

  const created = page.getByRole('dialog', { name: 'Key created' });
  const secret = shownSecret((await created.getByLabel('New key').textContent()) ?? '');
  expect(secret).toMatch(/^kw_live_[0-9A-Za-z]{36}$/);
  await created.getByRole('button', { name: 'Copy key' }).click();
  await expect(created.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await screenshots(page, 'key-created');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  await expect(created).toBeHidden();
  expect(await page.content()).not.toContain(secret);

  const verified = await owner.verifyKey(secret, { scope: 'generation.create' });
  expect(verified).toMatchObject({ valid: true, code: 'VALID' });

  await page.getByRole('link', { name: 'acme production' }).click();
  await expect(page.getByRole('heading', { name: 'acme production' })).toBeVisible();
  await expect(page.getByText(secret.slice(0, 12))).not.toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await page.goBack();
  await page.getByRole('button', { name: 'Create key' }).click();
  expect(await page.content()).not.toContain(secret);
});

test('a key past its expiresAt offers Rotate disabled, saying why; Disable and Revoke stay', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('expired-rotation'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({
    appId: app.id,
    name: 'expired key',
    environment: 'live',
    scopes: ['generation.create'],
    expiresAt: new Date(Date.now() + 1_000).toISOString(),
  });
  shownSecret(key.secret);
  await expect.poll(async () => (await owner.verifyKey(key.secret)).code, { timeout: 10_000 }).toBe('KEY_EXPIRED');
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'expired key' })).toBeVisible();
  const rotate = page.getByRole('button', { name: 'Rotate' });
  await expect(rotate).toBeDisabled();
  await expect(rotate).toHaveAccessibleDescription('expired: set a later expiry first');
  await expect(page.getByText('expired: set a later expiry first')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Disable' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Revoke' })).toBeEnabled();
  await expectAccessible(page);
  await screenshotsAt(page, 'key-rotate-expired');
  await page.setViewportSize(PHONE);
  await expect(page.getByText('expired: set a later expiry first')).toBeInViewport();
  await page.setViewportSize(WIDE);

  // A later expiry makes it rotatable again.
  await owner.keys.update(key.id, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await page.reload();
  await expect(page.getByRole('button', { name: 'Rotate' })).toBeEnabled();
});

test('a key overdue only for its rotation period reads expired but offers Rotate: rotating renews it', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('overdue-rotation'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'overdue key', environment: 'live', scopes: ['generation.create'], policy: { rotationPeriodDays: 1 } });
  shownSecret(key.secret);
  await sql(`UPDATE key_secrets SET created_at = now() - interval '2 days' WHERE key_id = $1`, [key.id]);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'overdue key' })).toBeVisible();
  expect((await owner.keys.get(key.id)).status).toBe('expired');
  await page.getByRole('button', { name: 'Rotate' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate key' });
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: 'Key rotated' });
  const newSecret = shownSecret((await rotated.getByLabel('New key').textContent()) ?? '');
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  expect((await owner.verifyKey(newSecret)).code).toBe('VALID');
});

test('rotate with a grace period, then revoke: both secrets fail verify', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('rotation'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'rotate me', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'rotate me' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Rotate' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate key' });
  await rotate.getByLabel('Grace period for the current secret').selectOption({ label: '1 hour' });
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: 'Key rotated' });
  const newSecret = shownSecret((await rotated.getByLabel('New key').textContent()) ?? '');
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  expect(await page.content()).not.toContain(newSecret);
  // Both work during the grace hour, and the key shows both versions.
  expect((await owner.verifyKey(key.secret)).valid).toBe(true);
  expect((await owner.verifyKey(newSecret)).valid).toBe(true);
  await expect(page.getByRole('table', { name: 'Secret versions' }).getByRole('row')).toHaveCount(3);

  await page.getByRole('button', { name: 'Revoke' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
  await expectAccessible(page);
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText('revoked', { exact: true })).toBeVisible();
  // The previous secret's grace hour ended with the key: no version is shown as still working.
  await expect(page.getByRole('table', { name: 'Secret versions' }).getByText('stopped: the key is revoked')).toHaveCount(2);
  expect(await owner.verifyKey(newSecret)).toMatchObject({ valid: false, code: 'KEY_REVOKED' });
  expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_REVOKED' });
});

test('disable and enable a key', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('pause') });
  const key = await owner.keys.create({ appId: app.id, name: 'pause me', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await page.goto(`/console/keys/${key.id}`);
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('dialog', { name: 'Disable this key?' }).getByRole('button', { name: 'Disable key' }).click();
  await expect(page.getByRole('button', { name: 'Enable' })).toBeVisible();
  expect(await owner.verifyKey(key.secret)).toMatchObject({ valid: false, code: 'KEY_DISABLED' });
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.getByRole('dialog', { name: 'Enable this key?' }).getByRole('button', { name: 'Enable key' }).click();
  await expect(page.getByRole('button', { name: 'Disable' })).toBeVisible();
  expect((await owner.verifyKey(key.secret)).valid).toBe(true);
});

test('a long description without spaces wraps instead of widening the page', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('long-description') });
  const key = await owner.keys.create({ appId: app.id, name: 'described', description: 'D'.repeat(400), environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'described' })).toBeVisible();
  for (const viewport of [PHONE, WIDE]) {
    await page.setViewportSize(viewport);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
  }
  await screenshots(page, 'key-long-description');
});

test('a key named like markup renders as text', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('xss') });
  const name = '<img src=x onerror=alert(1)>';
  const key = await owner.keys.create({ appId: app.id, name, environment: 'live', scopes: ['anything.read'], metadata: { note: '<script>alert(2)</script>' } });
  shownSecret(key.secret);
  await page.goto(`/console/keys?appId=${app.id}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'keys');
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.getByText('<script>alert(2)</script>', { exact: false })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'key-detail');
});

test('offline, changing a filter says the API could not be reached instead of showing the old list', async ({ signedIn: page, owner, context }) => {
  const app = await owner.apps.create({ name: uniqueName('offline-filter') });
  shownSecret((await owner.keys.create({ appId: app.id, name: 'listed online', environment: 'live', scopes: ['anything.read'] })).secret);
  await page.goto(`/console/keys?appId=${app.id}`);
  await expect(page.getByRole('link', { name: 'listed online' })).toBeVisible();
  await context.setOffline(true);
  try {
    await page.getByLabel('Status').selectOption('revoked');
    await expect(page.getByRole('alert')).toContainText(UNREACHABLE);
    await expect(page.getByRole('link', { name: 'listed online' })).toHaveCount(0);
    await screenshots(page, 'keys-offline');
  } finally {
    await context.setOffline(false);
  }
});

test('offline, Create key says the API could not be reached instead of staying at "Creating…"', async ({ signedIn: page, owner, context }) => {
  const app = await owner.apps.create({ name: uniqueName('offline-create') });
  await page.goto(`/console/keys?appId=${app.id}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await dialog.getByLabel('Name', { exact: true }).fill('made offline');
  await context.setOffline(true);
  try {
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dialog.getByRole('alert')).toContainText(UNREACHABLE);
    await expect(dialog.getByRole('button', { name: 'Create key' })).toBeEnabled();
    await screenshots(page, 'key-create-offline');
  } finally {
    await context.setOffline(false);
  }
  expect((await owner.keys.list({ appId: app.id })).data).toEqual([]);
});

test("the Create key dialog shows the environment it will send: the app's first, until another is chosen", async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('environments'), environments: ['production', 'staging'], scopeCatalog: ['generation.create'] });
  await page.goto('/console/keys');
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  const environment = dialog.getByLabel('Environment');
  await expect(environment).toHaveValue('live');
  await expect(environment).toHaveJSProperty('selectedIndex', 0);
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await expect(environment).toHaveValue('production');
  await expect(environment).toHaveJSProperty('selectedIndex', 0);
  await dialog.getByLabel('Name', { exact: true }).fill('shown environment');
  await dialog.getByRole('checkbox', { name: 'generation.create' }).check();
  await screenshots(page, 'key-create-environment');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  shownSecret((await created.getByLabel('New key').textContent()) ?? '');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  const [key] = (await owner.keys.list({ appId: app.id })).data;
  expect(key.environment).toBe('production');
});

test('at 1440 px the keys table splits no word in half, and a long unbroken name wraps inside it', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('wide-table'), scopeCatalog: ['generation.create', 'embeddings.create', 'vector.search'] });
  const longName = `customer-${'x'.repeat(90)}`;
  for (const name of ['acme production', longName]) {
    shownSecret((await owner.keys.create({ appId: app.id, name, group: 'production', environment: 'live', scopes: ['generation.create', 'embeddings.create', 'vector.search'] })).secret);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/console/keys?appId=${app.id}`);
  const table = page.getByRole('table', { name: 'Keys' });
  await expect(table.getByRole('link', { name: 'acme production' })).toBeVisible();
  expect(await splitWords(page, 'table th')).toEqual([]);
  expect(await splitWords(page, 'table td:not(:first-child)')).toEqual([]);
  // The long name wraps within its column: the table fits its box, the page does not scroll sideways.
  expect(await page.locator('.table-scroll').evaluate((box) => box.scrollWidth <= box.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440);
  await page.screenshot({ path: `${__dirname}/../.screenshots/keys-table-1440.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await expect(table.getByRole('link', { name: 'acme production' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: `${__dirname}/../.screenshots/keys-table-phone.png`, fullPage: true });
});

/**
 * A key verified just now, its page open in a browser whose clock reads `offsetMs` from the
 * moment the API recorded that use.
 */
async function keyUsedJustNow(page: Page, owner: Keywarden, offsetMs: number): Promise<void> {
  const app = await owner.apps.create({ name: uniqueName('last-used') });
  const key = await owner.keys.create({ appId: app.id, name: 'just used', environment: 'live', scopes: ['anything.read'] });
  expect((await owner.verifyKey(shownSecret(key.secret))).valid).toBe(true);
  await expect.poll(async () => (await owner.keys.get(key.id)).lastUsedAt, { timeout: 30_000, intervals: [250] }).not.toBeNull();
  const lastUsedAt = (await owner.keys.get(key.id)).lastUsedAt ?? '';
  await page.clock.setFixedTime(new Date(lastUsedAt).getTime() + offsetMs);
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'just used' })).toBeVisible();
}

test('a use a fraction of a second before the page looked reads "just now", never as a future time', async ({ signedIn: page, owner }) => {
  await keyUsedJustNow(page, owner, 300);
  await expect(page.locator('dt:text-is("Last used") + dd')).toHaveText('just now');
});

test('a use a few seconds ahead of the browser\'s clock reads "just now"', async ({ signedIn: page, owner }) => {
  await keyUsedJustNow(page, owner, -3_000);
  await expect(page.locator('dt:text-is("Last used") + dd')).toHaveText('just now');
});

test('metadata that is not valid JSON is refused beside the Metadata field, in words', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('bad-metadata') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/console/keys?appId=${app.id}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a key' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await dialog.getByLabel('Name', { exact: true }).fill('bad metadata');
  const metadata = dialog.getByLabel('Metadata (JSON object, optional)');
  await metadata.fill('{"a":1,}');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(metadata).toHaveAccessibleDescription(/^Metadata must be valid JSON\b/);
  await screenshots(page, 'key-create-bad-metadata');
});

test('at phone width a long outcome code stays inside its badge in the access log', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('long-outcome'), scopeCatalog: ['generation.create', 'vector.search'] });
  const key = await owner.keys.create({ appId: app.id, name: 'refused key', environment: 'live', scopes: ['generation.create'] });
  expect((await owner.verifyKey(shownSecret(key.secret), { scope: 'vector.search' })).code).toBe('INSUFFICIENT_PERMISSIONS');
  await expect.poll(async () => (await owner.keys.requests(key.id)).data.length, { timeout: 30_000, intervals: [250] }).toBe(1);
  await page.setViewportSize(PHONE);
  await page.goto(`/console/keys/${key.id}`);
  const badge = page.getByRole('table', { name: 'Access log' }).getByText('INSUFFICIENT_PERMISSIONS', { exact: true });
  await expect(badge).toBeVisible();
  expect(await badge.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshots(page, 'key-access-log-outcome');
});
