import { appKeysWithPolicies, appStateInWorkspace, isAdminKeyOfWorkspace, isCustomerOfWorkspace, type Queryable } from '@keywarden/db';
import type { Actor } from '../credentials/principal';
import { ApiError } from './api-error';
import { assertCanActOnApp } from './app-access';

/** The ids a list or bulk filter may name of what it selects by. */
export interface FilterSubjects {
  appId?: string;
  keyId?: string;
  customerId?: string;
  /** The admin key that created the keys (bulk operations). */
  createdBy?: string;
}

/**
 * What a filter names must be the caller's, as for a path parameter: an app, key,
 * customer or admin key of another workspace (or of none) is 404 naming it, an app outside the caller's
 * restriction 403. Without it a filter on such an id answered an empty list, which a
 * caller could not tell from "nothing yet". A deleted app is still the workspace's: its
 * keys, alerts and endpoints are listed as before.
 */
export async function assertFilterSubjects(db: Queryable, actor: Actor, filter: FilterSubjects): Promise<void> {
  const { workspaceId } = actor.principal;
  if (filter.appId !== undefined) {
    if ((await appStateInWorkspace(db, filter.appId, workspaceId)) === null) throw new ApiError('NOT_FOUND', `App ${filter.appId} not found`);
    assertCanActOnApp(actor, filter.appId);
  }
  if (filter.keyId !== undefined) {
    const [key] = await appKeysWithPolicies(db, workspaceId, [filter.keyId]);
    if (key === undefined) throw new ApiError('NOT_FOUND', `Key ${filter.keyId} not found`);
    assertCanActOnApp(actor, key.app_id, ` (key ${filter.keyId})`);
  }
  if (filter.customerId !== undefined && !(await isCustomerOfWorkspace(db, filter.customerId, workspaceId))) {
    throw new ApiError('NOT_FOUND', `Customer ${filter.customerId} not found`);
  }
  if (filter.createdBy !== undefined && !(await isAdminKeyOfWorkspace(db, filter.createdBy, workspaceId))) {
    throw new ApiError('NOT_FOUND', `Admin key ${filter.createdBy} not found`);
  }
}
