/**
 * The fault and abuse suite (`npm run test:faults`, test/faults/): kill -9 under load, the fuzz
 * pass over every HTTP route, the privacy checks. Separate from `npm test`: it takes a few minutes
 * and starts its own killable servers. Same global setup (a Temporal dev server and a MongoDB-wire
 * server for the suites that do not kill anything).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/per-file.ts'],
  },
});
