import { Client } from 'pg';

/**
 * A connection of its own for a check made once at start. A failure to connect says it is
 * PostgreSQL that could not be reached (the driver's message names only an address); the
 * URL is not quoted, it holds the password.
 */
export async function connectAtStart(databaseUrl: string): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`cannot reach PostgreSQL (DATABASE_URL): ${(error as Error).message}`);
  }
  return client;
}
