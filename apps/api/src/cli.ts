import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { assertSchemaUpToDate, dataSourceOptions, WorkspaceEntity } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { AuditService } from './audit/audit.service';
import { loadApiConfig } from './config/api-config';
import { KeyMaterialService } from './credentials/key-material.service';
import { KeyStore } from './keys/key-store.service';
import { bootstrapWorkspace } from './workspaces/bootstrap-workspace';

const USAGE = `Usage: kw <command> [options]

Commands:
  migrate                     apply pending database migrations
  bootstrap [--name NAME]     create a workspace and its first owner admin key, printed once
            [--if-empty]      do nothing when a workspace already exists
            [--json]          print {workspaceId, keyId, secret} as JSON
`;

// Serialises concurrent `migrate` runs (several instances starting at once).
const MIGRATION_LOCK = 0x6b77_0001;

async function migrate(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length === 0 ? 'Database is up to date.\n' : `Applied migrations: ${applied.map((m) => m.name).join(', ')}\n`,
    );
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

async function bootstrap(dataSource: DataSource, options: { name: string; ifEmpty: boolean; json: boolean }): Promise<void> {
  const config = loadApiConfig();
  await assertSchemaUpToDate(config.databaseUrl);
  if (options.ifEmpty && (await dataSource.getRepository(WorkspaceEntity).count()) > 0) {
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ alreadyBootstrapped: true })}\n`
        : 'Keywarden is already bootstrapped; its owner key was printed when it was created.\n',
    );
    return;
  }
  const store = new KeyStore(new KeyMaterialService(config), dataSource);
  const result = await bootstrapWorkspace(dataSource, store, new AuditService(dataSource), options.name);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    [
      '',
      `Workspace ${options.name} (${result.workspaceId}) created.`,
      'Owner admin key (shown once, store it now):',
      '',
      `    ${result.secret}`,
      '',
      `Try it: curl -H "Authorization: Bearer ${result.secret}" http://localhost:${config.port}/v1/me`,
      '',
    ].join('\n'),
  );
}

/** Options only `bootstrap` reads: given to `migrate`, they would be silently ignored. */
const BOOTSTRAP_OPTIONS = ['name', 'if-empty', 'json'] as const;

/** What is wrong with a command line, before anything connects: null when nothing is. */
function usageProblem(command: string | undefined, extra: string[], values: CommandLine['values']): string | null {
  if (command === undefined) return 'a command is required';
  if (command !== 'migrate' && command !== 'bootstrap') return `unknown command: ${command.slice(0, 40)}`;
  if (extra.length > 0) return `${command} takes no arguments (got ${extra.length})`;
  const ignored = command === 'migrate' ? BOOTSTRAP_OPTIONS.find((option) => values[option] !== undefined) : undefined;
  if (ignored) return `migrate takes no --${ignored} (it is an option of bootstrap)`;
  const name = values.name ?? DEFAULT_WORKSPACE_NAME;
  // The same rule as an app's name.
  if (command === 'bootstrap' && (name.trim() === '' || name.length > 100)) return '--name must be 1-100 characters, not blank';
  return null;
}

// No defaults here: an option left out is told apart from one given (see BOOTSTRAP_OPTIONS).
const OPTIONS = {
  name: { type: 'string' },
  'if-empty': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;
const DEFAULT_WORKSPACE_NAME = 'default';

type CommandLine = ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof OPTIONS }>>;

/** The command line, or what is wrong with its options (an unknown one, a missing value). */
function parseCommandLine(): CommandLine | { problem: string } {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return { problem: (error as Error).message.split('. ')[0] };
  }
}

async function main(): Promise<void> {
  const parsed = parseCommandLine();
  if ('problem' in parsed) {
    process.stderr.write(`kw: ${parsed.problem}\n`);
    process.stdout.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  const problem = values.help ? null : usageProblem(command, positionals.slice(1), values);
  if (values.help || problem) {
    if (problem) process.stderr.write(`kw: ${problem}\n`);
    process.stdout.write(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadApiConfig();
  const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
  try {
    if (command === 'migrate') await migrate(dataSource);
    else await bootstrap(dataSource, { name: values.name ?? DEFAULT_WORKSPACE_NAME, ifEmpty: values['if-empty'] ?? false, json: values.json ?? false });
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`kw: ${error.message}\n`);
  process.exit(1);
});
