import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real servers; keep them from competing for the 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    globalSetup: ['test/setup/global-setup.ts'],
    // Leaves no conversation running on the shared dev server for the next file (see the file).
    setupFiles: ['test/setup/per-file.ts'],
  },
});
