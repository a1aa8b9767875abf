import type { AdminKey, AdminRole } from '@keywarden/core';
import type { Keywarden } from '@keywarden/sdk';
import type { Locator, Page } from '@playwright/test';
import { bootstrapWorkspace } from '../../api/test/harness';
import { createMemberIn, expect, expectAccessible, screenshotsAt, shownSecret, test, uniqueName } from './fixtures';

async function signInAs(page: Page, owner: Keywarden, role: AdminRole): Promise<void> {
  const member = await owner.adminKeys.create({ name: uniqueName(role), role });
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(member.secret) } })).status()).toBe(201);
}

/** The button is there, disabled, and says the scope it needs. */
async function expectNeeds(button: Locator, scope: string): Promise<void> {
  await expect(button).toBeVisible();
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(`needs ${scope}`);
}

test('a viewer sees every change it may not make disabled with the scope it needs, never a 403 after a click', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('viewed'), timezone: 'UTC' });
  const key = await owner.keys.create({ appId: app.id, name: 'viewed key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  const customer = await owner.customers.create({ externalId: uniqueName('viewed-customer'), name: 'Viewed' });
  await signInAs(page, owner, 'viewer');

  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('heading', { name: 'viewed key' })).toBeVisible();
  await expectNeeds(page.getByRole('button', { name: 'Rotate', exact: true }), 'keys.write');
  await expectNeeds(page.getByRole('button', { name: 'Disable', exact: true }), 'keys.write');
  await expectNeeds(page.getByRole('button', { name: 'Revoke', exact: true }), 'keys.revoke');
  await expectNeeds(page.getByRole('button', { name: 'Report leak', exact: true }), 'keys.revoke');
  await expect(page.getByText('needs keys.revoke', { exact: true }).first()).toBeVisible();
  await expectAccessible(page);
  await screenshotsAt(page, 'key-viewer');

  await page.goto(`/console/customers/${customer.id}`);
  await expectNeeds(page.getByRole('button', { name: 'Portal link' }), 'portal.write');
  await expectNeeds(page.getByRole('button', { name: 'Suspend' }), 'customers.write');
  await expectNeeds(page.getByRole('button', { name: 'Save customer' }), 'customers.write');
  await expectAccessible(page);
  await screenshotsAt(page, 'customer-viewer');

  for (const [path, name, scope] of [
    ['/console/keys', 'Create key', 'keys.write'],
    ['/console/apps', 'Create app', 'apps.write'],
    [`/console/apps/${app.id}`, 'Delete app', 'apps.write'],
    [`/console/apps/${app.id}`, 'Save settings', 'apps.write'],
    ['/console/customers', 'Add customer', 'customers.write'],
    ['/console/webhooks', 'Add endpoint', 'webhooks.write'],
    ['/console/members', 'Add member', 'keys.write'],
  ]) {
    await page.goto(path);
    await expectNeeds(page.getByRole('button', { name, exact: true }), scope);
  }
  // Nothing was changed, and nothing was tried.
  expect((await owner.keys.get(key.id)).status).toBe('active');
});

test('a developer may rotate and disable a key but not revoke it or report a leak; an admin may do all of it', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('developed'), timezone: 'UTC' });
  const key = await owner.keys.create({ appId: app.id, name: 'developed key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await signInAs(page, owner, 'developer');
  await page.goto(`/console/keys/${key.id}`);
  await expect(page.getByRole('button', { name: 'Rotate', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Disable', exact: true })).toBeEnabled();
  await expectNeeds(page.getByRole('button', { name: 'Revoke', exact: true }), 'keys.revoke');
  await expectNeeds(page.getByRole('button', { name: 'Report leak', exact: true }), 'keys.revoke');
  await page.getByRole('button', { name: 'Disable', exact: true }).click();
  await page.getByRole('dialog', { name: 'Disable this key?' }).getByRole('button', { name: 'Disable key' }).click();
  await expect(page.locator('.page-header').getByText('disabled', { exact: true })).toBeVisible();
  expect((await owner.keys.get(key.id)).status).toBe('disabled');

  await page.context().clearCookies();
  await signInAs(page, owner, 'admin');
  await page.goto(`/console/keys/${key.id}`);
  for (const name of ['Rotate', 'Enable', 'Revoke', 'Report leak']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeEnabled();
  }
  await expect(page.getByText(/^needs /)).toHaveCount(0);
});

test('a developer is not offered the pages it may not read; opened by address, they say which scope they need', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('unalerted'), timezone: 'UTC' });
  const key = await owner.keys.create({ appId: app.id, name: 'unalerted key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await signInAs(page, owner, 'developer');
  await page.goto(`/console/keys/${key.id}`);
  const nav = page.getByRole('navigation', { name: 'Console' });
  await expect(nav.getByRole('link', { name: 'Keys' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Alerts' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Alerts about this key' })).toHaveCount(0);

  for (const [path, scope] of [
    ['/console/alerts', 'alerts.read'],
    [`/console/alerts?keyId=${key.id}`, 'alerts.read'],
    ['/console/audit', 'audit.read'],
  ]) {
    await page.goto(path);
    await expect(page.getByText('No access to this page')).toBeVisible();
    await expect(page.locator('.empty')).toContainText(`Your admin key lacks ${scope}, which this page needs.`);
    await expect(page.getByRole('alert')).toHaveCount(0);
  }
  await expectAccessible(page);
  await screenshotsAt(page, 'audit-no-access');

  await page.context().clearCookies();
  await signInAs(page, owner, 'viewer');
  await page.goto('/console/audit');
  await expect(page.getByRole('table', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link')).toHaveCount(8);
});

test('adding a member offers only the roles the signed-in key can give; the others are disabled with what they need', async ({ page, owner }) => {
  await signInAs(page, owner, 'developer');
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a member' });
  const role = dialog.getByLabel('Role');
  await expect(role).toHaveValue('developer');
  await expect(role.locator('option[value="owner"]')).toBeDisabled();
  await expect(role.locator('option[value="owner"]')).toHaveText('owner: everything (needs every scope)');
  await expect(role.locator('option[value="admin"]')).toBeDisabled();
  await expect(role.locator('option[value="admin"]')).toContainText('(needs apps.write, keys.revoke and ');
  // A viewer reads alerts and the audit log, which a developer does not.
  await expect(role.locator('option[value="viewer"]')).toBeDisabled();
  await expect(role.locator('option[value="viewer"]')).toHaveText('viewer: read only (needs alerts.read, audit.read)');
  await expect(dialog.getByText('A role with scopes your admin key lacks cannot be given')).toBeVisible();
  await expectAccessible(page);
  await screenshotsAt(page, 'add-member-developer');
  const name = uniqueName('intern');
  await createMemberIn(page, dialog, name);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('developer');

  // An admin may give every role but owner.
  await page.context().clearCookies();
  await signInAs(page, owner, 'admin');
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const adminRole = page.getByRole('dialog', { name: 'Add a member' }).getByLabel('Role');
  await expect(adminRole.locator('option[value="owner"]')).toBeDisabled();
  await expect(adminRole.locator('option[value="admin"]')).toBeEnabled();
  await expect(adminRole.locator('option[value="viewer"]')).toBeEnabled();
});

test('an admin may not revoke a broader key, and a key limited to some apps may not create an app: both say why before a click', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('limited'), timezone: 'UTC' });
  const junior = await owner.adminKeys.create({ name: uniqueName('junior'), role: 'developer' });
  shownSecret(junior.secret);
  await signInAs(page, owner, 'admin');
  await page.goto('/console/members');
  const ownerRevoke = page.getByRole('button', { name: 'Revoke bootstrap owner key' });
  await expect(ownerRevoke).toBeDisabled();
  await expect(ownerRevoke).toHaveAccessibleDescription('holds scopes your key lacks');
  await expect(page.getByRole('button', { name: `Revoke ${junior.name}` })).toBeEnabled();
  await expectAccessible(page);
  await screenshotsAt(page, 'members-admin');

  await page.context().clearCookies();
  const limited = await owner.adminKeys.create({ name: uniqueName('limited-admin'), role: 'admin', appIds: [app.id] });
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(limited.secret) } })).status()).toBe(201);
  await page.goto('/console/apps');
  const create = page.getByRole('button', { name: 'Create app' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAccessibleDescription('not for a key limited to some apps');
});

test('revoking a member with keys.revoke but not keys.write offers keeping or revoking their app keys; disabling them says it needs keys.write', async ({ page, owner }) => {
  const revoker = await owner.adminKeys.create({ name: uniqueName('offboarder'), scopes: ['keys.read', 'keys.revoke'] });
  const leaver = await owner.adminKeys.create({ name: uniqueName('leaver'), scopes: ['keys.read'] });
  shownSecret(leaver.secret);
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(revoker.secret) } })).status()).toBe(201);
  await page.goto('/console/members');
  await page.getByRole('button', { name: `Revoke ${leaver.name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${leaver.name}?` });
  const cascade = dialog.getByLabel('App keys this member created');
  await expect(cascade).toHaveValue('');
  await expect(cascade.locator('option[value="disable"]')).toBeDisabled();
  await expect(cascade.locator('option[value="disable"]')).toHaveText('disable them (needs keys.write)');
  await expect(cascade.locator('option[value="revoke"]')).toBeEnabled();
  await expect(dialog.getByText('Disabling them needs keys.write, which your admin key lacks.')).toBeVisible();
  await expectAccessible(page);
  await screenshotsAt(page, 'revoke-member-no-keys-write');
  await cascade.selectOption('revoke');
  await dialog.getByRole('button', { name: 'Revoke admin key' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row', { name: new RegExp(leaver.name) })).toContainText('revoked');

  // With keys.write (an admin) every choice is offered.
  await page.context().clearCookies();
  const other = await owner.adminKeys.create({ name: uniqueName('leaver'), role: 'viewer' });
  shownSecret(other.secret);
  await signInAs(page, owner, 'admin');
  await page.goto('/console/members');
  await page.getByRole('button', { name: `Revoke ${other.name}` }).click();
  await expect(page.getByRole('dialog', { name: `Revoke ${other.name}?` }).locator('option[value="disable"]')).toHaveText('disable them');
  await expect(page.getByRole('dialog', { name: `Revoke ${other.name}?` }).locator('option[value="disable"]')).toBeEnabled();
});

test('adding a member says what unchecked apps mean for the signed-in key, and with no apps says so instead of an empty list', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('inherited'), timezone: 'UTC' });
  const limited = await owner.adminKeys.create({ name: uniqueName('limited-admin'), role: 'admin', appIds: [app.id] });
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(limited.secret) } })).status()).toBe(201);
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a member' });
  const apps = dialog.getByRole('group', { name: 'Apps (none checked: the same apps as your key)' });
  await expect(apps).toBeVisible();
  await expect(apps.getByRole('checkbox', { name: app.name })).toBeVisible();
  await expect(dialog.getByText('every app')).toHaveCount(0);
  await expectAccessible(page);
  await screenshotsAt(page, 'add-member-limited');
  // Left unchecked, the new key indeed gets the creator's apps.
  const name = uniqueName('inheritor');
  await createMemberIn(page, dialog, name);
  let inheritor: AdminKey | undefined;
  for await (const key of owner.adminKeys.listAll()) if (key.name === name) inheritor = key;
  expect(inheritor?.appIds).toEqual([app.id]);

  // A key that is not limited: unchecked is every app.
  await page.context().clearCookies();
  await signInAs(page, owner, 'admin');
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('dialog', { name: 'Add a member' }).getByRole('group', { name: 'Apps (none checked: every app)' })).toBeVisible();

  // A workspace without apps: a short hint, no empty section.
  await page.context().clearCookies();
  const empty = await bootstrapWorkspace('console-no-apps');
  expect((await page.request.post('/v1/console/sessions', { data: { key: empty.secret } })).status()).toBe(201);
  await page.goto('/console/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  const emptyDialog = page.getByRole('dialog', { name: 'Add a member' });
  await expect(emptyDialog.getByText('Apps: none to choose from yet, so the member reaches every app.')).toBeVisible();
  await expect(emptyDialog.getByRole('group', { name: /^Apps/ })).toHaveCount(0);
  await expectAccessible(page);
  await screenshotsAt(page, 'add-member-no-apps');
});

test('settings a role cannot save are read only as a whole, with the scope they need said once', async ({ page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('read-only'), timezone: 'UTC' });
  const customer = await owner.customers.create({ externalId: uniqueName('read-only-customer'), name: 'Read only' });
  await signInAs(page, owner, 'viewer');
  for (const [path, form, scope, save] of [
    [`/console/apps/${app.id}`, 'App settings', 'apps.write', 'Save settings'],
    [`/console/customers/${customer.id}`, 'Customer settings', 'customers.write', 'Save customer'],
  ]) {
    await page.goto(path);
    const settings = page.getByRole('form', { name: form });
    await expect(settings.getByLabel('Name', { exact: true })).toBeDisabled();
    for (const field of await settings.locator('input, textarea, select').all()) await expect(field).toBeDisabled();
    await expect(settings.getByText(`Read only: needs ${scope}`)).toBeVisible();
    await expect(settings.getByText(`needs ${scope}`)).toHaveCount(1);
    await expectNeeds(settings.getByRole('button', { name: save }), scope);
  }
  await expectAccessible(page);
  await screenshotsAt(page, 'customer-read-only');
  await page.goto(`/console/apps/${app.id}`);
  await expect(page.getByRole('form', { name: 'App settings' }).getByLabel('Name', { exact: true })).toBeDisabled();
  await expectAccessible(page);
  await screenshotsAt(page, 'app-settings-read-only');

  // A role that may save them edits them as before.
  await page.context().clearCookies();
  await signInAs(page, owner, 'admin');
  await page.goto(`/console/apps/${app.id}`);
  const settings = page.getByRole('form', { name: 'App settings' });
  await expect(settings.getByLabel('Name', { exact: true })).toBeEnabled();
  await expect(settings.getByText(/needs apps.write/)).toHaveCount(0);
  await settings.getByLabel('Name', { exact: true }).fill(`${app.name}-renamed`);
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Settings saved.');
});
