/**
 * What a query module needs: a DataSource, an EntityManager (inside a transaction) or a
 * QueryRunner all qualify, so callers choose the transaction and the module only the SQL.
 */
export interface Queryable {
  query<T = any>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** Who reads: the workspace, and the reader's app restriction (null: every app). */
export interface WorkspaceReader {
  workspaceId: string;
  appIds: string[] | null;
}
