import { defineConfig } from 'tsup';

/**
 * One self-contained package: what the SDK uses of @keywarden/core is compiled in from
 * core's source (tree-shaken), so the tarball installs with nothing from this workspace.
 * ESM (`.mjs`) and CommonJS (`.js`), each with its bundled declarations.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.bundle.json',
  noExternal: ['@keywarden/core'],
  dts: { resolve: ['@keywarden/core'] },
  // KeywardenGuard loads the app's @nestjs/common with require(), also from the ESM build.
  banner: ({ format }) =>
    format === 'esm' ? { js: "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);" } : {},
  clean: true,
  splitting: false,
  treeshake: true,
});
