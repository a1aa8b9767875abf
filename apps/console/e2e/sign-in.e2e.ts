import { expect, expectAccessible, screenshots, shownSecret, test, uniqueName } from './fixtures';
import { stackValue } from './stack';

test('an operator signs in with an admin key and out again; the browser never keeps the key', async ({ page }) => {
  const key = stackValue('ownerKey');
  await page.goto('/console/');
  await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'sign-in');

  await page.getByLabel('Admin key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  const kept = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookies: document.cookie,
    url: location.href,
    html: document.documentElement.outerHTML,
  }));
  for (const place of Object.values(kept)) expect(place).not.toContain(key);
  const cookies = await page.context().cookies();
  expect(cookies).toEqual([expect.objectContaining({ name: 'kw_console_session', httpOnly: true, sameSite: 'Strict', path: '/v1' })]);

  // A reload keeps the session (the cookie) and reads the CSRF token back.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
  const afterSignOut = await page.request.get('/v1/me');
  expect(afterSignOut.status()).toBe(401);
});

test('an operator whose session ended meanwhile (its admin key revoked) signs out without an error, and the dead cookie goes', async ({ page, owner }) => {
  const member = await owner.adminKeys.create({ name: uniqueName('leaving'), role: 'viewer' });
  await page.goto('/console/');
  await page.getByLabel('Admin key').fill(shownSecret(member.secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  await owner.adminKeys.revoke(member.id);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await page.context().cookies()).toEqual([]);
});

test('a wrong key is refused with the API message', async ({ page }) => {
  await page.goto('/console/');
  await page.getByLabel('Admin key').fill('kw_admin_notARealKey');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid API key');
});

test('an empty submit after a wrong key says only what is wrong now', async ({ page }) => {
  await page.goto('/console/');
  await page.getByLabel('Admin key').fill('kw_admin_notARealKey');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid API key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter an admin key');
  await expect(page.getByText('Invalid API key')).toHaveCount(0);
  await screenshots(page, 'sign-in-empty');
});

test('the console and the portal carry an icon the browser can load (no /favicon.ico request to fail)', async ({ page }) => {
  for (const path of ['/console/', '/portal']) {
    await page.goto(path);
    const icon = page.locator('link[rel="icon"]');
    await expect(icon).toHaveCount(1);
    // Decoded as an image under the page's own Content-Security-Policy.
    const width = await icon.evaluate(async (link: HTMLLinkElement) => {
      const image = new Image();
      image.src = link.href;
      await image.decode();
      return image.naturalWidth;
    });
    expect(width).toBeGreaterThan(0);
  }
});

test('console pages answer with a Content-Security-Policy without inline scripts and refuse to be framed', async ({ page }) => {
  const response = await page.goto('/console/keys');
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
});
