/**
 * Starts the real local servers once for the whole run, on loopback and free ports:
 * a MongoDB-wire server (the bundled mongo-java-server, in memory) and a Temporal dev server
 * (headless, in memory, search attributes registered). Suites that need to stop and restart
 * Temporal start their own (see test/setup/servers.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { installStack } from '../../scripts/stack/install.js';
import { startMongoJavaServer } from '../../scripts/stack/mongo-server.js';
import { freePort } from '../../scripts/stack/process.js';
import { startTemporalDevServer } from '../../scripts/stack/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    temporalAddress: string;
    logDir: string;
  }
}

export default async function setup(project: TestProject) {
  installStack();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'sora-test-logs-'));
  const [mongo, temporal] = await Promise.all([
    // In memory: every file's database lives in the JVM heap until per-file.ts drops it (demo months are large).
    freePort().then((p) => startMongoJavaServer(p, '-', logDir, 'sora_test', 'sync', undefined, 2048)),
    freePort().then((p) => startTemporalDevServer({ port: p, uiPort: 0, dbFile: ':memory:', logDir })),
  ]);
  project.provide('mongoUri', mongo.uri);
  project.provide('temporalAddress', temporal.address);
  project.provide('logDir', logDir);
  process.stdout.write(`[test setup] mongo-java-server ${mongo.uri}, Temporal dev server ${temporal.address}, logs ${logDir}\n`);
  return async () => {
    await temporal.stop();
    await mongo.stop();
  };
}
