import { Client } from 'pg';
import { expect, expectAccessible, screenshots, shownSecret, test, uniqueName } from './fixtures';
import { stackValue } from './stack';

const MINUTE = 60_000;
const DAY = 86_400_000;
const HISTORY_DAYS = 8;

/**
 * Eight days of ordinary minute rollups for one key (2–4 requests a minute) with a
 * 20-minute spike of 120 a minute ending half an hour ago: the worker's detector, which
 * steps through closed minutes every second in this stack, opens a spike alert.
 */
async function seedSpike(workspaceId: string, appId: string, keyId: string): Promise<void> {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const spikeStart = now - 50 * MINUTE;
  const buckets: string[] = [];
  const counts: number[] = [];
  for (let minute = now - HISTORY_DAYS * DAY; minute < now; minute += MINUTE) {
    buckets.push(new Date(minute).toISOString());
    counts.push(minute >= spikeStart && minute < spikeStart + 20 * MINUTE ? 120 : 2 + (((minute / MINUTE) * 7919) % 3));
  }
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO usage_rollups (granularity, bucket, workspace_id, app_id, key_id, model, outcome, requests, units, cost_micros)
       SELECT 'minute', b, $1, $2, $3, 'model-a', 'VALID', c, c, 0 FROM unnest($4::timestamptz[], $5::bigint[]) AS t(b, c)`,
      [workspaceId, appId, keyId, buckets, counts],
    );
  } finally {
    await db.end();
  }
}

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
