import { connectAtStart } from './startup-connection';
import { MIGRATIONS } from './data-source-options';

const RUN_MIGRATE = 'run the migrations first (cli.js migrate)';

/**
 * Refuses a database that lacks a migration of this build: a process on it would report
 * ready and fail every request that reads a missing table or column. Checked once at start,
 * on a connection of its own.
 */
export async function assertSchemaUpToDate(databaseUrl: string): Promise<void> {
  const client = await connectAtStart(databaseUrl);
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM migrations`);
    const applied = new Set(rows.map((row) => row.name));
    const pending = MIGRATIONS.filter((Migration) => !applied.has(new Migration().name ?? Migration.name));
    if (pending.length > 0) throw new Error(`the database lacks ${pending.length} of this version's ${MIGRATIONS.length} migrations: ${RUN_MIGRATE}`);
  } catch (error) {
    // No migrations table: nothing was ever migrated.
    if ((error as { code?: string }).code === '42P01') throw new Error(`the database has no Keywarden schema: ${RUN_MIGRATE}`);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
