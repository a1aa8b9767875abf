/**
 * End-to-end tests: real API processes (dist/main.js) against real PostgreSQL and Redis.
 * Run with `pnpm test:e2e` (always --runInBand: files share the services, not state).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  // Starting an API process takes a few seconds; single tests poll for up to ~8 s.
  testTimeout: 30_000,
  slowTestThreshold: 10,
};
