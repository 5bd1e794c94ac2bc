import { defineConfig } from 'vitest/config';

/** Unit and integration tests: real PostgreSQL (embedded by default, or TEST_DATABASE_URL with SAFESHARE_TEST_ENGINE=server). */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/per-file.ts'],
    isolate: false,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: process.env['CI'] === undefined,
    expect: { requireAssertions: true },
    env: { TZ: 'UTC' },
  },
});
