import { WebhookReceiver } from '../../api/test/harness';
import type { Keywarden } from '@keywarden/sdk';
import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, screenshots, shownSecret, test, uniqueName } from './fixtures';

let receiver: WebhookReceiver;

test.beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
});

test.afterAll(async () => {
  await receiver?.stop();
});

test("a webhook endpoint: its secret shown once, a test event's delivery with its attempts, redelivered", async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('hooks') });
  await page.goto(`/console/webhooks?appId=${app.id}`);
  await expect(page.getByText('No webhook endpoints')).toBeVisible();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await dialog.getByLabel('URL (http or https)').fill(`${receiver.baseUrl}/keywarden`);
  await dialog.getByLabel('Description').fill('<b>ops</b> pager');
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  const created = page.getByRole('dialog', { name: 'Endpoint created' });
  const secret = shownSecret((await created.getByLabel('New signing secret').textContent()) ?? '');
  expect(secret).toMatch(/^whsec_/);
  await created.getByRole('button', { name: 'I have copied it' }).click();
  expect(await page.content()).not.toContain(secret);

  await page.getByRole('link', { name: `${receiver.baseUrl}/keywarden` }).click();
  await expect(page.getByText('<b>ops</b> pager')).toBeVisible();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Test event queued' })).toBeVisible();

  // The deliveries list refreshes itself; the worker delivers within seconds.
  const delivery = page.locator('details.delivery').first();
  await expect(delivery).toContainText('succeeded', { timeout: 30_000 });
  await expect(delivery).toContainText('1 attempt');
  await delivery.locator('summary').click();
  await expect(delivery.getByRole('table')).toContainText('200');
  await expectAccessible(page);
  await screenshots(page, 'webhook');

  await delivery.getByRole('button', { name: 'Redeliver' }).click();
  await expect(page.locator('details.delivery').first()).toContainText('2 attempts', { timeout: 30_000 });
  expect(receiver.at('/keywarden').filter((hook) => hook.body.includes('webhook.test'))).toHaveLength(2);
});

test('a disabled endpoint says it was disabled manually, and offers no test event until it is enabled again', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('hooks-off') });
  const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/off` });
  shownSecret(endpoint.secret);
  await page.goto(`/console/webhooks/${endpoint.id}`);
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('button', { name: 'Enable' })).toBeVisible();
  await expect(page.getByText(/: Disabled manually$/)).toBeVisible();
  const sendTest = page.getByRole('button', { name: 'Send test event' });
  await expect(sendTest).toBeDisabled();
  await expect(sendTest).toHaveAccessibleDescription('Enable the endpoint to send a test event or redeliver.');
  await expectAccessible(page);
  await screenshots(page, 'webhook-disabled');
  await page.getByRole('button', { name: 'Enable' }).click();
  await expect(sendTest).toBeEnabled();
  await expect(page.getByText('Enable the endpoint to send a test event or redeliver.')).toHaveCount(0);
});

test('a disabled endpoint offers no redelivery until it is enabled again', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('hooks-redeliver-off') });
  const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/redeliver-off` });
  shownSecret(endpoint.secret);
  await owner.webhooks.test(endpoint.id);
  await page.goto(`/console/webhooks/${endpoint.id}`);
  const delivery = page.locator('details.delivery').first();
  await expect(delivery).toContainText('succeeded', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('button', { name: 'Enable' })).toBeVisible();
  await delivery.locator('summary').click();
  const redeliver = delivery.getByRole('button', { name: 'Redeliver' });
  await expect(redeliver).toBeDisabled();
  await expect(redeliver).toHaveAccessibleDescription('Enable the endpoint to send a test event or redeliver.');
  await page.getByRole('button', { name: 'Enable' }).click();
  await expect(redeliver).toBeEnabled();
});

test('the signing-secret dialog says the secret is kept encrypted (deliveries are signed with it), not as a hash', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('hook-secret') });
  await page.goto(`/console/webhooks?appId=${app.id}`);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
  await dialog.getByLabel('App', { exact: true }).selectOption({ label: app.name });
  await dialog.getByLabel('URL (http or https)').fill(`${receiver.baseUrl}/secret-text`);
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  const created = page.getByRole('dialog', { name: 'Endpoint created' });
  shownSecret((await created.getByLabel('New signing secret').textContent()) ?? '');
  await expect(created.getByRole('status')).toContainText('Keywarden stores it encrypted and uses it only to sign deliveries.');
  await expect(created.getByRole('status')).not.toContainText('hash');
  await screenshots(page, 'webhook-secret');
});

/** Rotates a new endpoint's secret on its page and closes the Secret rotated dialog; answers the Rotate secret button. */
async function rotatedOnEndpointPage(page: Page, owner: Keywarden, name: string): Promise<Locator> {
  const app = await owner.apps.create({ name: uniqueName(name) });
  const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/${name}` });
  await page.goto(`/console/webhooks/${endpoint.id}`);
  const opener = page.getByRole('button', { name: 'Rotate secret' });
  await opener.click();
  await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = page.getByRole('dialog', { name: 'Secret rotated' });
  shownSecret((await rotated.getByLabel('New signing secret').textContent()) ?? '');
  await rotated.getByRole('button', { name: 'I have copied it' }).click();
  await expect(rotated).toBeHidden();
  return opener;
}

test("closing the Secret rotated dialog gives focus back to the endpoint page's Rotate secret button", async ({ signedIn: page, owner }) => {
  const opener = await rotatedOnEndpointPage(page, owner, 'rotate-focus');
  await expect(opener).toBeFocused();
});

test('after a rotation, Rotate secret asks again instead of showing the last secret', async ({ signedIn: page, owner }) => {
  const opener = await rotatedOnEndpointPage(page, owner, 'rotate-again');
  await opener.click();
  await expect(page.getByRole('dialog', { name: 'Rotate the signing secret?' })).toBeVisible();
});

test('after a rotation, the endpoint says in a sentence until when the previous secret still signs', async ({ signedIn: page, owner }) => {
  const app = await owner.apps.create({ name: uniqueName('hook-previous-secret') });
  const endpoint = await owner.webhooks.create({ appId: app.id, url: `${receiver.baseUrl}/previous-secret` });
  shownSecret(endpoint.secret);
  shownSecret((await owner.webhooks.rotateSecret(endpoint.id)).secret);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/console/webhooks/${endpoint.id}`);
  await expect(page.locator('dt:text-is("Previous secret") + dd')).toHaveText(/^Deliveries are also signed with the previous secret until .+\.$/);
  await screenshots(page, 'webhook-previous-secret');
});
