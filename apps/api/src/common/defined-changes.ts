/**
 * The fields a partial update sets. A DTO instance declares every field it can take, the
 * ones the request left out as `undefined`: they are not changes.
 */
export function definedChanges<T extends object>(changes: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A copy of a row's fields as they stand now, to tell afterwards which of them an update changed. */
export function snapshotOf<T extends object>(row: T, fields: readonly (keyof T & string)[]): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field, JSON.stringify(row[field] ?? null)]));
}

/**
 * The fields of `row` whose value differs from `before` (a `snapshotOf` it): an update
 * that sets a field to the value it already holds changes nothing and is not recorded.
 */
export function fieldsChangedSince<T extends object>(before: Record<string, string>, row: T): string[] {
  return Object.keys(before).filter((field) => JSON.stringify(row[field as keyof T] ?? null) !== before[field]);
}
