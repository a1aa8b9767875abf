import type { FieldError } from '../wire/common';
import { restrictionWithin } from '../scopes/app-restriction';
import { scopesNotHeld } from '../scopes/scopes';

/** The part of an admin key's restrictions that decides whom it covers. */
export interface KeyCoverage {
  scopes: readonly string[];
  appIds: readonly string[] | null;
}

/**
 * Does `holder` cover `target`: every scope of the target held, every app of the target
 * within the holder's restriction? An admin key may revoke only keys it covers.
 */
export function coverageIssues(holder: KeyCoverage, target: KeyCoverage): FieldError[] {
  const issues: FieldError[] = [];
  const notHeld = scopesNotHeld(holder.scopes, target.scopes);
  if (notHeld.length > 0) issues.push({ field: 'scopes', message: `not held by the calling key: ${notHeld.join(', ')}` });
  if (!restrictionWithin(holder.appIds, target.appIds)) {
    issues.push({ field: 'appIds', message: "reach apps outside the calling key's restriction" });
  }
  return issues;
}
