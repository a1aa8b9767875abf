import fc from 'fast-check';
import {
  ADMIN_ROLES,
  MANAGEMENT_SCOPES,
  ROLE_SCOPES,
  expandScopes,
  hasScope,
  isManagementScope,
  isScopePattern,
  isScopePreset,
  patternIncludes,
  presetScopes,
  scopesNotHeld,
} from './scopes';

const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,47}$/);
/** Any valid scope or pattern: `*`, `resource.*` or `resource.action`. */
const anyPattern = fc.oneof(
  fc.constant('*'),
  segment.map((resource) => `${resource}.*`),
  fc.tuple(segment, segment).map(([resource, action]) => `${resource}.${action}`),
);
/** Patterns over a tiny vocabulary, so that inclusion chains actually occur. */
const smallPattern = fc.oneof(
  fc.constant('*'),
  fc
    .tuple(fc.constantFrom('keys', 'keysx', 'apps', 'k'), fc.constantFrom('read', 'write', 'readx', '*'))
    .map(([resource, action]) => `${resource}.${action}`),
);

const READ_MANAGEMENT_SCOPES = ['apps.read', 'keys.read', 'usage.read', 'webhooks.read', 'alerts.read', 'audit.read', 'customers.read'];
const NON_READ_MANAGEMENT_SCOPES = MANAGEMENT_SCOPES.filter((scope) => !scope.endsWith('.read'));

describe('isScopePattern', () => {
  it.each([
    'keys.read',
    'keys.*',
    '*',
    'generation.create',
    'enrichment.*',
    'a.b',
    'my-app.do_thing',
    'v2.read',
    `${'a'.repeat(48)}.${'b'.repeat(48)}`,
  ])('accepts %j', (value) => {
    expect(isScopePattern(value)).toBe(true);
  });

  it.each([
    'keys',
    'Keys.read',
    'keys.Read',
    'keys.read.x',
    '*.read',
    '*.*',
    '',
    'keys.',
    '.read',
    '.*',
    'keys.**',
    '**',
    '2keys.read',
    'keys.2read',
    'keys .read',
    ' keys.read',
    'keys.read\n',
    `${'a'.repeat(49)}.read`,
    `keys.${'a'.repeat(49)}`,
    `${'a'.repeat(100)}.${'b'.repeat(99)}`,
    'a'.repeat(200),
  ])('rejects %j', (value) => {
    expect(isScopePattern(value)).toBe(false);
  });

  it.each([null, undefined, 42, ['keys.read'], { scope: 'keys.read' }])('rejects the non-string %p', (value) => {
    expect(isScopePattern(value)).toBe(false);
  });

  it('accepts every generated pattern', () => {
    fc.assert(fc.property(anyPattern, (pattern) => expect(isScopePattern(pattern)).toBe(true)));
  });
});

describe('isScopePreset', () => {
  it.each(['read', 'write', 'admin'])('recognises %j', (value) => {
    expect(isScopePreset(value)).toBe(true);
  });

  it.each(['Read', 'keys.read', '*', '', null, 1])('does not recognise %p', (value) => {
    expect(isScopePreset(value)).toBe(false);
  });
});

describe('isManagementScope', () => {
  it.each(['*', 'keys.read', 'keys.*', 'apps.write', 'audit.read', 'webhooks.*'])('treats %j as management', (scope) => {
    expect(isManagementScope(scope)).toBe(true);
  });

  it.each(['generation.create', 'enrichment.*', 'keysx.read', 'model.read'])('treats %j as an app scope', (scope) => {
    expect(isManagementScope(scope)).toBe(false);
  });
});

describe('patternIncludes', () => {
  it.each([
    ['*', 'keys.read'],
    ['*', 'keys.*'],
    ['*', '*'],
    ['keys.*', 'keys.read'],
    ['keys.*', 'keys.revoke'],
    ['keys.*', 'keys.*'],
    ['keys.read', 'keys.read'],
  ])('%j includes %j', (granted, requested) => {
    expect(patternIncludes(granted, requested)).toBe(true);
  });

  it.each([
    ['keys.*', 'keysx.read'],
    ['keys.*', 'keys'],
    ['keys.*', '*'],
    ['keys.*', 'apps.read'],
    ['keys.read', 'keys.*'],
    ['keys.read', '*'],
    ['keys.read', 'keys.write'],
    ['keys.read', 'keys.readx'],
    ['keys.read', 'apps.read'],
  ])('%j does not include %j', (granted, requested) => {
    expect(patternIncludes(granted, requested)).toBe(false);
  });

  it('is reflexive', () => {
    fc.assert(fc.property(anyPattern, (pattern) => expect(patternIncludes(pattern, pattern)).toBe(true)));
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(smallPattern, smallPattern, smallPattern, (a, b, c) => {
        fc.pre(patternIncludes(a, b) && patternIncludes(b, c));
        expect(patternIncludes(a, c)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('lets a concrete scope include nothing but itself', () => {
    fc.assert(
      fc.property(fc.tuple(segment, segment), anyPattern, ([resource, action], requested) => {
        const granted = `${resource}.${action}`;
        expect(patternIncludes(granted, requested)).toBe(granted === requested);
      }),
    );
  });

  it('lets `resource.*` include exactly the patterns of that resource', () => {
    fc.assert(
      fc.property(segment, anyPattern, (resource, requested) => {
        expect(patternIncludes(`${resource}.*`, requested)).toBe(requested.split('.')[0] === resource && requested !== '*');
      }),
    );
  });
});

describe('hasScope', () => {
  it('holds a scope granted verbatim', () => {
    expect(hasScope(['apps.read', 'keys.read'], 'keys.read')).toBe(true);
  });

  it('holds a scope through a resource wildcard', () => {
    expect(hasScope(['keys.*'], 'keys.revoke')).toBe(true);
  });

  it('holds a scope through the global wildcard', () => {
    expect(hasScope(['*'], 'generation.create')).toBe(true);
  });

  it('does not hold a scope of a resource that merely shares a prefix', () => {
    expect(hasScope(['keys.*'], 'keysx.read')).toBe(false);
  });

  it('does not hold a wildcard from a concrete scope', () => {
    expect(hasScope(['keys.read', 'keys.write'], 'keys.*')).toBe(false);
  });

  it('holds nothing when nothing is granted', () => {
    expect(hasScope([], 'keys.read')).toBe(false);
  });

  it('holds any valid scope or pattern under `*`', () => {
    fc.assert(fc.property(anyPattern, (scope) => expect(hasScope(['*'], scope)).toBe(true)));
  });
});

describe('scopesNotHeld', () => {
  it('lists the requested scopes the granter lacks, in request order', () => {
    expect(scopesNotHeld(['keys.read', 'apps.*'], ['keys.write', 'apps.write', 'keys.read', 'usage.read'])).toEqual([
      'keys.write',
      'usage.read',
    ]);
  });

  it('is empty when every requested scope is held', () => {
    expect(scopesNotHeld(['keys.*'], ['keys.read', 'keys.revoke', 'keys.*'])).toEqual([]);
  });

  it('is empty when nothing is requested', () => {
    expect(scopesNotHeld([], [])).toEqual([]);
  });

  it('reports a wildcard requested by a holder of concrete scopes', () => {
    expect(scopesNotHeld(['keys.read'], ['keys.*'])).toEqual(['keys.*']);
  });

  it('is empty exactly when every requested scope is held', () => {
    fc.assert(
      fc.property(fc.array(smallPattern, { maxLength: 5 }), fc.array(smallPattern, { maxLength: 5 }), (granted, requested) => {
        expect(scopesNotHeld(granted, requested).length === 0).toBe(requested.every((scope) => hasScope(granted, scope)));
      }),
    );
  });
});

describe('presets', () => {
  describe('against MANAGEMENT_SCOPES', () => {
    it('expands `read` to the read scopes', () => {
      expect(expandScopes(['read'], MANAGEMENT_SCOPES)).toEqual(READ_MANAGEMENT_SCOPES);
    });

    it('expands `write` to everything but keys.revoke', () => {
      expect(expandScopes(['write'], MANAGEMENT_SCOPES)).toEqual(MANAGEMENT_SCOPES.filter((s) => s !== 'keys.revoke'));
    });

    it('leaves wildcard catalog entries out of `write`, since they include destructive actions', () => {
      expect(expandScopes(['write'], ['documents.*', 'documents.upload', '*'])).toEqual(['documents.upload']);
    });

    it('expands `admin` to the whole catalog', () => {
      expect(expandScopes(['admin'], MANAGEMENT_SCOPES)).toEqual([...MANAGEMENT_SCOPES]);
    });
  });

  describe('against an app catalog', () => {
    const catalog = [
      'generation.create',
      'generation.read',
      'models.list',
      'models.get',
      'documents.search',
      'documents.delete',
      'documents.upload',
      'org.admin',
      'sessions.revoke',
    ];

    it('expands `read` to the read, list, get and search actions', () => {
      expect(expandScopes(['read'], catalog)).toEqual(['generation.read', 'models.list', 'models.get', 'documents.search']);
    });

    it('expands `write` to everything but revoke, delete and admin actions', () => {
      expect(expandScopes(['write'], catalog)).toEqual([
        'generation.create',
        'generation.read',
        'models.list',
        'models.get',
        'documents.search',
        'documents.upload',
      ]);
    });

    it('expands `admin` to the whole catalog', () => {
      expect(expandScopes(['admin'], catalog)).toEqual(catalog);
    });

    it('expands every preset to nothing in an empty catalog', () => {
      expect(expandScopes(['read', 'write', 'admin'], [])).toEqual([]);
    });
  });

  it('passes scopes that are not presets through unchanged', () => {
    expect(expandScopes(['generation.create', 'keys.*', '*'], MANAGEMENT_SCOPES)).toEqual([
      'generation.create',
      'keys.*',
      '*',
    ]);
  });

  it('removes duplicates and keeps first-seen order', () => {
    expect(expandScopes(['keys.write', 'read', 'keys.read', 'read'], MANAGEMENT_SCOPES)).toEqual([
      'keys.write',
      ...READ_MANAGEMENT_SCOPES,
    ]);
  });

  it('keeps every preset within its catalog', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyPattern, { maxLength: 10 }), fc.constantFrom('read', 'write', 'admin' as const), (catalog, preset) => {
        expect(presetScopes(preset, catalog).every((scope) => catalog.includes(scope))).toBe(true);
      }),
    );
  });

  it('nests read within write within admin', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(segment, segment).map(([r, a]) => `${r}.${a}`), { maxLength: 10 }), (catalog) => {
        const write = presetScopes('write', catalog);
        const admin = presetScopes('admin', catalog);
        expect(presetScopes('read', catalog).every((scope) => write.includes(scope))).toBe(true);
        expect(write.every((scope) => admin.includes(scope))).toBe(true);
      }),
    );
  });
});

describe('ROLE_SCOPES', () => {
  it('defines scopes for every role', () => {
    expect(Object.keys(ROLE_SCOPES).sort()).toEqual([...ADMIN_ROLES].sort());
  });

  it.each(ADMIN_ROLES)('gives %s only valid scope patterns', (role) => {
    expect(ROLE_SCOPES[role].every(isScopePattern)).toBe(true);
  });

  it.each([...MANAGEMENT_SCOPES, '*', 'keys.*', 'generation.create'])('lets owner hold %j', (scope) => {
    expect(hasScope(ROLE_SCOPES.owner, scope)).toBe(true);
  });

  it.each(MANAGEMENT_SCOPES)('lets admin hold %j', (scope) => {
    expect(hasScope(ROLE_SCOPES.admin, scope)).toBe(true);
  });

  it('does not let admin hold `*`', () => {
    expect(hasScope(ROLE_SCOPES.admin, '*')).toBe(false);
  });

  it('gives viewer nothing but read scopes', () => {
    expect(ROLE_SCOPES.viewer.every((scope) => scope.endsWith('.read'))).toBe(true);
  });

  it.each(READ_MANAGEMENT_SCOPES)('lets viewer hold %j', (scope) => {
    expect(hasScope(ROLE_SCOPES.viewer, scope)).toBe(true);
  });

  it.each(NON_READ_MANAGEMENT_SCOPES)('does not let viewer hold %j', (scope) => {
    expect(hasScope(ROLE_SCOPES.viewer, scope)).toBe(false);
  });

  it('does not let developer revoke keys', () => {
    expect(hasScope(ROLE_SCOPES.developer, 'keys.revoke')).toBe(false);
  });

  it('lets developer read customers, but neither change them nor open their portal', () => {
    expect(['customers.read', 'customers.write', 'portal.write'].map((scope) => hasScope(ROLE_SCOPES.developer, scope))).toEqual([true, false, false]);
  });

  it('gives admin the customer scopes and portal.write, viewer customers.read only', () => {
    expect(scopesNotHeld(ROLE_SCOPES.admin, ['customers.read', 'customers.write', 'portal.write'])).toEqual([]);
    expect(['customers.read', 'customers.write', 'portal.write'].map((scope) => hasScope(ROLE_SCOPES.viewer, scope))).toEqual([true, false, false]);
  });

  it.each(['keys.read', 'keys.write', 'keys.verify', 'apps.read'])('lets developer hold %j', (scope) => {
    expect(hasScope(ROLE_SCOPES.developer, scope)).toBe(true);
  });

  it.each(['developer', 'viewer'] as const)('keeps %s within admin', (role) => {
    expect(scopesNotHeld(ROLE_SCOPES.admin, ROLE_SCOPES[role])).toEqual([]);
  });
});
