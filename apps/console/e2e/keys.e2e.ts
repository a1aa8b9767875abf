import { expect, expectAccessible, PHONE, screenshots, shownSecret, test, uniqueName, WIDE } from './fixtures';

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
