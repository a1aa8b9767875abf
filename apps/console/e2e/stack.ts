/** What the global setup started, handed to the tests through the environment. */
export const STACK_ENV = {
  baseUrl: 'KW_CONSOLE_E2E_BASE_URL',
  ownerKey: 'KW_CONSOLE_E2E_OWNER_KEY',
  workspaceId: 'KW_CONSOLE_E2E_WORKSPACE',
} as const;

export function stackValue(name: keyof typeof STACK_ENV): string {
  const value = process.env[STACK_ENV[name]];
  if (!value) throw new Error(`${STACK_ENV[name]} is not set: run the browser tests through playwright.config.ts (its global setup)`);
  return value;
}
