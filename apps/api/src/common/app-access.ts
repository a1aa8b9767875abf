import { canActOnApp } from '@keywarden/core';
import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { Actor } from '../credentials/principal';
import { ApiError } from './api-error';

/** An app outside the actor's restriction exists but is off limits: 403 naming the app. */
export function assertCanActOnApp(actor: Actor, appId: string, context = ''): void {
  if (!canActOnApp(actor.principal.appIds, appId)) {
    throw new ApiError('INSUFFICIENT_PERMISSIONS', `API key is not allowed to act on app ${appId}${context}`);
  }
}

/**
 * A row that belongs to an app of the actor's workspace: another workspace's does not exist
 * for the actor (404 `{resource} not found`), one of an app outside its restriction is
 * forbidden (403).
 */
export async function findAppResourceForActor<T extends ObjectLiteral & { appId: string | null }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  actor: Actor,
  where: FindOptionsWhere<T>,
  resource: string,
  options: { lock?: boolean } = {},
): Promise<T> {
  const row = await manager.findOne(entity, {
    where: { ...where, workspaceId: actor.principal.workspaceId } as FindOptionsWhere<T>,
    ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (!row) throw ApiError.notFound(resource);
  assertCanActOnApp(actor, row.appId as string);
  return row;
}
