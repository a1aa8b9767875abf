/**
 * Architecture rules, checked by `pnpm check:architecture` (part of `pnpm test`).
 * Folders of one source root must not import each other in a circle: each capability
 * (apps/api/src/keys, packages/core/src/wire, ...) may depend on others only one way.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Two folders import each other, directly or through others. Move the shared piece to where both may depend on it.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'Two files import each other, directly or through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Only the sources of this repository; tests may reach across folders.
    exclude: { path: ['node_modules', '/dist/', '\\.(spec|test|e2e-spec)\\.ts$'] },
    includeOnly: '^(apps|packages)/[^/]+/src/',
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
