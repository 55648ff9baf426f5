import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault and abuse suite runs on its own: npm run test:faults (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Integration suites start real servers; keep them from competing for the 2 cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    globalSetup: ['test/setup/global-setup.ts'],
    // Leaves no conversation running on the shared dev server for the next file (see the file).
    setupFiles: ['test/setup/per-file.ts'],
  },
});
