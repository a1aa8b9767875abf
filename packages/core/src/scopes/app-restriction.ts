/**
 * An admin key may be limited to some apps (`appIds`); `null` means every app of its
 * workspace.
 */
export function canActOnApp(appIds: readonly string[] | null, appId: string): boolean {
  return appIds === null || appIds.includes(appId);
}

/** A restricted key can only hand out a restriction at least as narrow as its own. */
export function restrictionWithin(granter: readonly string[] | null, requested: readonly string[] | null): boolean {
  if (granter === null) return true;
  if (requested === null) return false;
  return requested.every((appId) => granter.includes(appId));
}
