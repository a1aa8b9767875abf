import { expect, expectAccessible, screenshots, screenshotsAt, shownSecret, test, uniqueName } from './fixtures';

test('customers: add one with shared limits, find it by part of its external id, edit its limits, see its keys and usage', async ({ signedIn: page, owner }) => {
  const externalId = uniqueName('acme');
  const name = '<b>Acme</b> Corp';
  await page.goto('/console/customers');
  await page.getByRole('button', { name: 'Add customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a customer' });
  await dialog.getByLabel(/External id/).fill(externalId);
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Requests per minute').fill('60');
  // A customer's policy has limits only.
  await expect(dialog.getByLabel('Plan')).toHaveCount(0);
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Add customer' }).click();

  await expect(page.getByRole('heading', { name })).toBeVisible();
  const customer = (await owner.customers.list({ externalId })).data[0];
  expect(customer).toMatchObject({ name, policy: { rateLimits: { perMinute: 60 } } });

  const app = await owner.apps.create({ name: uniqueName('customer-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, customerId: customer.id, name: 'acme backend', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  for (let i = 0; i < 3; i++) await owner.verifyKey(key.secret, { cost: 0.5 });
  await page.reload();
  await expect(page.getByRole('table', { name: 'Keys of this customer' }).getByRole('link', { name: 'acme backend' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Requests by outcome' }).locator('.recharts-line-curve').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('figure', { name: 'Spend' })).toBeVisible();

  await page.getByLabel('Daily spend limit').fill('25');
  await page.getByRole('button', { name: 'Save customer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Customer saved.' })).toBeVisible();
  expect((await owner.customers.get(customer.id)).policy).toEqual({ rateLimits: { perMinute: 60 }, dailySpendLimit: 25 });
  await expectAccessible(page);
  await screenshots(page, 'customer');

  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByLabel('Search').fill(externalId.slice(2).toUpperCase());
  const table = page.getByRole('table', { name: 'Customers' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('60/min, 25.00/day spend');
  await expect(table).toContainText(name);
  await expectAccessible(page);
  await screenshots(page, 'customers');
});

test("a portal link made on the customer's page opens their portal once; suspending the customer refuses their keys", async ({ signedIn: page, owner, context }) => {
  const customer = await owner.customers.create({ externalId: uniqueName('globex'), name: 'Globex' });
  const app = await owner.apps.create({ name: uniqueName('portal-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, customerId: customer.id, name: 'globex prod', environment: 'live', scopes: ['generation.create'] });
  shownSecret(key.secret);
  await page.goto(`/console/customers/${customer.id}`);
  await page.getByRole('button', { name: 'Portal link' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open a portal for this customer' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await dialog.getByRole('checkbox', { name: 'webhooks.manage' }).uncheck();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const created = page.getByRole('dialog', { name: 'Portal link created' });
  const url = (await created.getByLabel('Portal link').textContent()) ?? '';
  expect(url).toMatch(/\/portal#token=/);
  shownSecret(new URL(url).hash.slice('#token='.length));
  await created.getByRole('button', { name: 'Done' }).click();
  expect(await page.content()).not.toContain(url);

  const portal = await context.newPage();
  await portal.goto(url);
  await expect(portal.getByRole('table', { name: 'Your API keys' }).getByRole('link', { name: 'globex prod' })).toBeVisible();
  await expect(portal.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
  await portal.close();

  await page.getByRole('button', { name: 'Suspend' }).click();
  await page.getByRole('dialog', { name: `Suspend ${customer.externalId}?` }).getByRole('button', { name: 'Suspend customer' }).click();
  await expect(page.getByText('suspended', { exact: true })).toBeVisible();
  expect((await owner.verifyKey(key.secret)).code).toBe('KEY_DISABLED');
});

test('for an admin key limited to some apps, the portal link dialog opens the portal in one of its apps, never in all apps', async ({ page, owner }) => {
  const customer = await owner.customers.create({ externalId: uniqueName('initech'), name: 'Initech' });
  const app = await owner.apps.create({ name: uniqueName('limited-app'), scopeCatalog: ['generation.create'] });
  const limited = await owner.adminKeys.create({ name: uniqueName('limited-admin'), role: 'admin', appIds: [app.id] });
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(limited.secret) } })).status()).toBe(201);
  await page.goto(`/console/customers/${customer.id}`);
  await page.getByRole('button', { name: 'Portal link' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open a portal for this customer' });
  const appField = dialog.getByLabel('App', { exact: true });
  await expect(appField).toHaveValue(app.id);
  await expect(appField.getByRole('option', { name: 'All apps' })).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'portal-link-limited-key');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const url = (await page.getByRole('dialog', { name: 'Portal link created' }).getByLabel('Portal link').textContent()) ?? '';
  shownSecret(new URL(url).hash.slice('#token='.length));
  const [entry] = (await owner.audit.list({ action: 'portal_session.created', targetId: customer.id })).data;
  expect(entry.details).toMatchObject({ appId: app.id });
});

test('the portal link dialog offers only the permissions the signed-in key can grant, each other one disabled with the scope it needs', async ({ page, owner }) => {
  const customer = await owner.customers.create({ externalId: uniqueName('umbrella'), name: 'Umbrella' });
  const app = await owner.apps.create({ name: uniqueName('grant-app'), scopeCatalog: ['generation.create'] });
  // Everything a portal link needs except keys.revoke and webhooks.write.
  const member = await owner.adminKeys.create({
    name: uniqueName('support'),
    scopes: ['apps.read', 'customers.read', 'portal.write', 'keys.read', 'keys.write', 'usage.read', 'alerts.read', 'webhooks.read'],
  });
  expect((await page.request.post('/v1/console/sessions', { data: { key: shownSecret(member.secret) } })).status()).toBe(201);
  await page.goto(`/console/customers/${customer.id}`);
  await page.getByRole('button', { name: 'Portal link' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open a portal for this customer' });
  for (const [permission, needs] of [
    ['keys.revoke', 'keys.revoke'],
    ['webhooks.manage', 'webhooks.write'],
  ]) {
    const box = dialog.getByRole('checkbox', { name: permission });
    await expect(box).toBeDisabled();
    await expect(box).not.toBeChecked();
    await expect(box).toHaveAccessibleDescription(`needs ${needs}`);
    await expect(dialog.getByText(`needs ${needs}`, { exact: true })).toBeVisible();
  }
  for (const permission of ['keys.read', 'keys.create', 'keys.rotate', 'usage.read', 'alerts.read']) {
    await expect(dialog.getByRole('checkbox', { name: permission })).toBeChecked();
    await expect(dialog.getByRole('checkbox', { name: permission })).toBeEnabled();
  }
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await expectAccessible(page);
  await screenshotsAt(page, 'portal-link-partial-grant');

  await dialog.getByRole('button', { name: 'Create link' }).click();
  const created = page.getByRole('dialog', { name: 'Portal link created' });
  const url = (await created.getByLabel('Portal link').textContent()) ?? '';
  expect(url).toMatch(/\/portal#token=/);
  shownSecret(new URL(url).hash.slice('#token='.length));
  const [entry] = (await owner.audit.list({ action: 'portal_session.created', targetId: customer.id })).data;
  expect(entry.details).toMatchObject({ appId: app.id, permissions: ['keys.read', 'keys.create', 'keys.rotate', 'usage.read', 'alerts.read'] });
});
