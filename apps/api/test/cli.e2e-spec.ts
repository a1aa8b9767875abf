import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { withUnmigratedDatabase } from './harness/databases';
import { API_CLI, API_DIR } from './harness/paths';

/** `kw` refuses a command line it cannot carry out before it connects to anything. */

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  return cliWith(process.env, ...args);
}

async function cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [API_CLI, ...args], { cwd: API_DIR, env });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

it.each([
  [['frobnicate'], /unknown command: frobnicate/],
  [[], /a command is required/],
  [['migrate', 'now'], /migrate takes no arguments/],
  [['migrate', '--name', 'acme'], /migrate takes no --name \(it is an option of bootstrap\)/],
  [['migrate', '--json'], /migrate takes no --json/],
  [['migrate', '--if-empty'], /migrate takes no --if-empty/],
  [['bootstrap', '--name', '   '], /--name must be 1-100 characters, not blank/],
  [['bootstrap', '--name', 'n'.repeat(101)], /--name must be 1-100 characters/],
  [['bootstrap', '--if-empy'], /Unknown option '--if-empy'/],
  [['bootstrap', '--name'], /Option '--name <value>' argument missing/],
])('kw %j: exit code 2, saying why', async (args, message) => {
  const { code, stderr } = await cli(...args);
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
});

it('kw bootstrap on a database the migrations have not reached says to run them first', async () => {
  const { code, stderr } = await withUnmigratedDatabase(process.env.DATABASE_URL as string, (url) =>
    cliWith({ ...process.env, DATABASE_URL: url }, 'bootstrap', '--if-empty'),
  );
  expect(code).toBe(1);
  expect(stderr).toBe('kw: the database has no Keywarden schema: run the migrations first (cli.js migrate)\n');
});
