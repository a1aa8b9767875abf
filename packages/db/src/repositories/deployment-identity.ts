import { connectAtStart } from '../startup-connection';

/**
 * The database's deployment id (deployment_identity, made by the migrations). Read once
 * at start on a connection of its own, before the application's pool exists.
 */
export async function readDeploymentId(databaseUrl: string): Promise<string> {
  const client = await connectAtStart(databaseUrl);
  try {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM deployment_identity`);
    if (rows.length === 0) throw new Error('deployment_identity is empty');
    return rows[0].id;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new Error('the database has no deployment identity yet: run the migrations first (cli.js migrate)');
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
