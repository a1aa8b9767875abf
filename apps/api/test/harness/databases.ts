import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { API_CLI, API_DIR } from './paths';

const run = promisify(execFile);

async function onServer<T>(serverUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server of `serverUrl`: dropped (forcing out leftover connections) and created again. */
export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** `kw migrate` against `databaseUrl`. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await run(process.execPath, [API_CLI, 'migrate'], { cwd: API_DIR, env: { ...process.env, DATABASE_URL: databaseUrl } });
}

/**
 * Runs `work` with a URL of the test database that sees only an empty schema of its own:
 * a database the migrations have never reached. The schema is dropped afterwards.
 */
export async function withUnmigratedDatabase<T>(databaseUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const schema = `kw_unmigrated_${process.pid}_${Date.now()}`;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  try {
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return await work(url.href);
  } finally {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.end();
  }
}
