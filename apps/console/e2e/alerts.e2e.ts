import { expect, expectAccessible, screenshots, shownSecret, test, uniqueName } from './fixtures';
import { seedSpike } from './seed';
import { stackValue } from './stack';

test("an alert's evidence: observed vs expected around it as a chart; acknowledge, then resolve", async ({ signedIn: page, owner }) => {
  test.setTimeout(120_000);
  const app = await owner.apps.create({ name: uniqueName('detect'), timezone: 'UTC' });
  const key = await owner.keys.create({ appId: app.id, name: 'leaky key', environment: 'live', scopes: ['anything.read'] });
  shownSecret(key.secret);
  await seedSpike(stackValue('workspaceId'), app.id, key.id);
  await expect
    .poll(async () => (await owner.alerts.list({ appId: app.id })).data.length, { timeout: 90_000, intervals: [1_000] })
    .toBeGreaterThan(0);

  await page.goto(`/console/alerts?appId=${app.id}`);
  await expect(page.getByRole('link', { name: 'spike' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'alerts');
  await page.getByRole('link', { name: 'spike' }).first().click();
  const chart = page.getByRole('figure', { name: 'Observed vs expected requests per minute' });
  await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
  // Two lines: the key's observed requests per minute and the expected level, both in the legend.
  await expect(chart.locator('.recharts-line')).toHaveCount(2);
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('observed');
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('expected');
  await expectAccessible(page);
  await screenshots(page, 'alert-evidence');

  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByText('acknowledged', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByText('resolved', { exact: true })).toBeVisible();
  const [alert] = (await owner.alerts.list({ appId: app.id })).data;
  expect(alert).toMatchObject({ status: 'resolved', resolution: 'admin' });
});
