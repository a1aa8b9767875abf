import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import type { Keywarden } from '@keywarden/sdk';
import { client, registerSecret } from '../../api/test/harness';
import { stackValue } from './stack';

export { expect };

/** Where the tests save their screenshots; `pnpm screenshots` points it at docs/screenshots. */
const SCREENSHOTS_DIR = process.env.KW_CONSOLE_SCREENSHOTS_DIR ?? join(__dirname, '..', '.screenshots');
export const PHONE = { width: 390, height: 844 };
export const WIDE = { width: 1280, height: 800 };
export const DESKTOP = { width: 1440, height: 900 };

interface Fixtures {
  /** The workspace owner through the SDK (to seed data and to check what the browser did). */
  owner: Keywarden;
  /** A page whose context already holds a console session of the owner. */
  signedIn: Page;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => use(stackValue('baseUrl')),
  page: async ({ page }, use) => {
    // Any script the page runs that CSP had to block, or any uncaught error, fails the test.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await use(page);
    expect(problems).toEqual([]);
  },
  owner: async ({}, use) => use(client(stackValue('baseUrl'), stackValue('ownerKey'))),
  signedIn: async ({ page }, use) => {
    const response = await page.request.post('/v1/console/sessions', { data: { key: stackValue('ownerKey') } });
    expect(response.status()).toBe(201);
    await use(page);
  },
});

/** No serious or critical axe-core violation on what the page shows now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  expect(serious).toEqual([]);
}

/** Saves the page at 1280 px and at phone width (`<name>-wide.png`, `<name>-phone.png`). */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-wide.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(WIDE);
}

/** The page at 1440 × 900 and at phone width (`<name>-desktop.png`, `<name>-phone.png`). */
export async function screenshotsAt(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(WIDE);
}

/** A secret the browser showed: the teardown's log scan must know it. */
export function shownSecret(secret: string): string {
  registerSecret(secret);
  return secret;
}

export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Names the member in an open "Add a member" dialog, creates the admin key, and answers its
 * secret, shown once, after acknowledging it: the dialog is gone when this returns.
 */
export async function createMemberIn(page: Page, dialog: Locator, name: string): Promise<string> {
  await dialog.getByLabel(/Name/).fill(name);
  await dialog.getByRole('button', { name: 'Create admin key' }).click();
  const created = page.getByRole('dialog', { name: 'Admin key created' });
  const secret = shownSecret((await created.getByLabel('New admin key').textContent()) ?? '');
  await created.getByRole('button', { name: 'I have copied it' }).click();
  return secret;
}
