import { defineConfig } from 'vitest/config';

/** End-to-end journeys in Debian's Chromium against a running Safeshare on a fresh database. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/per-file.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    allowOnly: process.env['CI'] === undefined,
    expect: { requireAssertions: true },
  },
});
