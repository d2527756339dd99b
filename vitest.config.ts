import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Seeds every fast-check property (see the file).
    setupFiles: ['test/helpers/fast-check-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: the Discord suite and crash tests spawn processes of their own.
    maxWorkers: 2,
  },
});
