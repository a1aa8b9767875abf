import type { PageQuery } from '@keywarden/core';
import type { EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

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

/** A customer's view in the portal: its workspace, and the one app its session is limited to (null: all). */
export interface CustomerScope {
  workspaceId: string;
  customerId: string;
  appId: string | null;
}

/**
 * A workspace's rows of `entity` (under `alias`), newest first (ids grow with time) from
 * the cursor on: `limit + 1` of them, the extra one telling that a next page exists.
 */
export function workspacePage<Entity extends ObjectLiteral>(
  db: EntityManager,
  entity: EntityTarget<Entity>,
  alias: string,
  workspaceId: string,
  page: { query: PageQuery; limit: number },
): SelectQueryBuilder<Entity> {
  const builder = db
    .getRepository(entity)
    .createQueryBuilder(alias)
    .where(`${alias}.workspace_id = :workspaceId`, { workspaceId })
    .orderBy(`${alias}.id`, 'DESC')
    .limit(page.limit + 1);
  if (page.query.cursor) builder.andWhere(`${alias}.id < :cursor`, { cursor: page.query.cursor });
  return builder;
}

/** `%`, `_` and `\` are the user's characters, not patterns: the text of a `LIKE` that matches it literally. */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
