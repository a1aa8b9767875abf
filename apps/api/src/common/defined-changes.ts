/**
 * The fields a partial update sets. A DTO instance declares every field it can take, the
 * ones the request left out as `undefined`: they are not changes.
 */
export function definedChanges<T extends object>(changes: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The names of the fields a partial update sets, as the audit log records them. */
export function changedFields(changes: object): string[] {
  return Object.keys(definedChanges(changes));
}
