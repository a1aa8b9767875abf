/**
 * Scopes are `resource.action` strings; `*` and `resource.*` are wildcards.
 * Everything here is pure: callers pass the granted list and get an answer.
 */
export const MANAGEMENT_SCOPES = [
  'apps.read',
  'apps.write',
  'keys.read',
  'keys.write',
  'keys.revoke',
  'keys.verify',
  'usage.read',
  'usage.write',
  'webhooks.read',
  'webhooks.write',
  'alerts.read',
  'alerts.write',
  'audit.read',
  'customers.read',
  'customers.write',
  'portal.write',
] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

const MANAGEMENT_RESOURCES = new Set(MANAGEMENT_SCOPES.map((scope) => scope.split('.')[0]));

const SEGMENT = '[a-z][a-z0-9_-]{0,47}';
/** `*`, `resource.*` or `resource.action`. */
export const SCOPE_PATTERN = new RegExp(`^(\\*|${SEGMENT}\\.(\\*|${SEGMENT}))$`);

export const SCOPE_PRESETS = ['read', 'write', 'admin'] as const;
export type ScopePreset = (typeof SCOPE_PRESETS)[number];

/**
 * Actions a `read` preset grants; `write` grants everything but the destructive ones and
 * wildcards (a catalog's `documents.*` would include `documents.delete`).
 */
const READ_ACTIONS = new Set(['read', 'list', 'get', 'search']);
const DESTRUCTIVE_ACTIONS = new Set(['revoke', 'delete', 'admin']);

export function isScopePattern(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_PATTERN.test(value);
}

export function isScopePreset(value: unknown): value is ScopePreset {
  return (SCOPE_PRESETS as readonly unknown[]).includes(value);
}

/** True when the scope (or pattern) touches Keywarden's own management API. */
export function isManagementScope(scope: string): boolean {
  return scope === '*' || MANAGEMENT_RESOURCES.has(scope.split('.')[0]);
}

/**
 * Does `granted` include everything `requested` stands for? Works for plain scopes and
 * for patterns: `keys.*` includes `keys.read` and `keys.*`, but `keys.read` does not
 * include `keys.*`.
 */
export function patternIncludes(granted: string, requested: string): boolean {
  if (granted === '*') return true;
  if (granted === requested) return true;
  if (!granted.endsWith('.*')) return false;
  const resource = granted.slice(0, -1); // keeps the dot: "keys."
  return requested.startsWith(resource) && requested !== '*';
}

export function hasScope(granted: readonly string[], required: string): boolean {
  return granted.some((pattern) => patternIncludes(pattern, required));
}

/** The requested scopes the granter does not hold: non-empty means escalation. */
export function scopesNotHeld(granter: readonly string[], requested: readonly string[]): string[] {
  return requested.filter((scope) => !hasScope(granter, scope));
}

function actionOf(scope: string): string {
  return scope.slice(scope.indexOf('.') + 1);
}

/** The concrete scopes a preset stands for within a catalog. */
export function presetScopes(preset: ScopePreset, catalog: readonly string[]): string[] {
  switch (preset) {
    case 'read':
      return catalog.filter((scope) => READ_ACTIONS.has(actionOf(scope)));
    case 'write':
      return catalog.filter((scope) => scope !== '*' && !DESTRUCTIVE_ACTIONS.has(actionOf(scope)) && actionOf(scope) !== '*');
    case 'admin':
      return [...catalog];
  }
}

/** Replaces presets by their scopes and removes duplicates, keeping first-seen order. */
export function expandScopes(requested: readonly string[], catalog: readonly string[]): string[] {
  const expanded = requested.flatMap((scope) => (isScopePreset(scope) ? presetScopes(scope, catalog) : [scope]));
  return [...new Set(expanded)];
}

export const ADMIN_ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Roles are nothing but scope presets: the scopes guard alone decides. */
export const ROLE_SCOPES: Record<AdminRole, readonly string[]> = {
  owner: ['*'],
  admin: MANAGEMENT_SCOPES,
  developer: [
    'apps.read',
    'keys.read',
    'keys.write',
    'keys.verify',
    'usage.read',
    'usage.write',
    'webhooks.read',
    'webhooks.write',
    'customers.read',
  ],
  viewer: presetScopes('read', MANAGEMENT_SCOPES),
};
