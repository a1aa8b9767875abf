import type { CustomerStatus, ListCustomersQuery } from '@keywarden/core';
import type { EntityManager } from 'typeorm';
import { CustomerEntity } from '../entities/customer.entity';
import { likeEscaped, type Queryable, workspacePage } from './queryable';

/**
 * customers: the statements that go beyond the entity's plain reads and writes, for the
 * API (listing, the usage reports' workspace check, the portal's session check).
 */

/** One page of the workspace's customers a listing asks for (see `workspacePage`). */
export function customersPage(db: EntityManager, workspaceId: string, query: ListCustomersQuery, limit: number): Promise<CustomerEntity[]> {
  const builder = workspacePage(db, CustomerEntity, 'c', workspaceId, { query, limit });
  if (query.status) builder.andWhere('c.status = :status', { status: query.status });
  if (query.externalId) builder.andWhere('c.external_id = :externalId', { externalId: query.externalId });
  if (query.search) builder.andWhere('(c.name ILIKE :pattern OR c.external_id ILIKE :pattern)', { pattern: `%${likeEscaped(query.search)}%` });
  return builder.getMany();
}

/** Whether the customer belongs to the workspace. */
export async function isCustomerOfWorkspace(db: Queryable, customerId: string, workspaceId: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM customers WHERE id = $1 AND workspace_id = $2`, [customerId, workspaceId]);
  return rows.length > 0;
}

/** What a portal session shows of its customer, read on every request. */
export interface PortalCustomerRow {
  status: CustomerStatus;
  name: string | null;
  externalId: string;
  /**
   * Whether the link still grants: the admin key that made it may still act (not revoked,
   * disabled or expired) and the app it names, if any, is not deleted.
   */
  granted: boolean;
}

/** What a portal link was made by and for, besides its customer. */
export interface PortalGrant {
  grantedBy: string | null;
  appId: string | null;
}

export async function portalCustomer(db: Queryable, customerId: string, workspaceId: string, grant: PortalGrant): Promise<PortalCustomerRow | undefined> {
  const [row]: PortalCustomerRow[] = await db.query(
    `SELECT c.status, c.name, c.external_id AS "externalId",
            EXISTS (SELECT 1 FROM api_keys k
                     WHERE k.id = $3 AND k.workspace_id = c.workspace_id AND k.kind = 'admin' AND k.status = 'active'
                       AND (k.expires_at IS NULL OR k.expires_at > now()))
            AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM apps a WHERE a.id = $4 AND a.workspace_id = c.workspace_id AND a.deleted_at IS NULL)) AS granted
       FROM customers c WHERE c.id = $1 AND c.workspace_id = $2`,
    [customerId, workspaceId, grant.grantedBy, grant.appId],
  );
  return row;
}
