/**
 * The embedded stack as separate processes the fault suite can kill -9 and restart on the same
 * ports and data files: the Temporal dev server (SQLite file), the MongoDB-wire server (the bundled
 * mongo-java-server, H2 file) — both started with the project's own launchers (scripts/stack/) —
 * and the app itself, run as `npm start` runs it (`node --import tsx scripts/start.ts`) with
 * TEMPORAL_ADDRESS and MONGODB_URI pointing at those two, so it starts neither.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMongoJavaServer } from '../../scripts/stack/mongo-server.js';
import { freePort, isPortOpen } from '../../scripts/stack/process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/stack/temporal-server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Pids of this process's children whose command line contains every one of `parts`. */
export function childPids(parts: string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (parts.every((p) => cmd.includes(p))) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killNine(pid: number, what: string): Promise<void> {
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 15_000;
  while (alive(pid)) {
    // A zombie still answers kill 0 until reaped; the exit handler of the ChildProcess reaps it.
    const state = (() => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      } catch {
        return undefined;
      }
    })();
    if (state === 'Z' || state === undefined) break;
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) still alive 15 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface AppEnv {
  [name: string]: string;
}

export class FaultStack {
  readonly logDir: string;
  temporalPort = 0;
  mongoPort = 0;
  gatewayPort = 0;
  private temporal?: TemporalDevServer;
  private mongoPid?: number;
  private app?: ChildProcess;
  private appStarts = 0;

  constructor(
    readonly dir: string,
    readonly db = 'sora_faults',
  ) {
    this.logDir = path.join(dir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }
  get mongoUri(): string {
    return `mongodb://127.0.0.1:${this.mongoPort}/${this.db}`;
  }
  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  async allocatePorts(): Promise<void> {
    [this.temporalPort, this.mongoPort, this.gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      port: this.temporalPort,
      uiPort: 0,
      dbFile: path.join(this.dir, 'temporal', 'temporal.db'),
      logDir: this.logDir,
    });
  }

  async killTemporal(): Promise<void> {
    const pid = this.temporal?.service.child.pid;
    if (!pid) throw new Error('no Temporal dev server to kill');
    await killNine(pid, 'Temporal dev server');
    this.temporal = undefined;
  }

  async startMongo(): Promise<void> {
    mkdirSync(path.join(this.dir, 'mongo'), { recursive: true });
    await startMongoJavaServer(this.mongoPort, path.join(this.dir, 'mongo', 'sora.mv'), this.logDir, this.db);
    // The launcher keeps its child to itself; find it by its command line (main class + port).
    const pids = childPids(['SoraMongoServer', String(this.mongoPort)]);
    if (pids.length !== 1) throw new Error(`expected one mongo-java-server child on port ${this.mongoPort}, found ${pids.length}`);
    this.mongoPid = pids[0];
  }

  async killMongo(): Promise<void> {
    if (!this.mongoPid) throw new Error('no MongoDB-wire server to kill');
    await killNine(this.mongoPid, 'mongo-java-server');
    this.mongoPid = undefined;
  }

  /** `npm start`'s entry point against our Temporal and MongoDB; resolves once it printed "sora-cs is up". */
  async startApp(env: AppEnv): Promise<void> {
    const n = ++this.appStarts;
    const log = createWriteStream(path.join(this.logDir, `app-${n}.log`));
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: this.temporalAddress,
        MONGODB_URI: this.mongoUri,
        SORA_GATEWAY_PORT: String(this.gatewayPort),
        ...env,
      },
    });
    this.app = child;
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the app did not start within 120 s; see ${log.path}`)), 120_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('sora-cs is up')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the app exited during start (code ${code}, signal ${signal}); see ${String(log.path)}`));
      });
    });
    if (!(await isPortOpen('127.0.0.1', this.gatewayPort))) throw new Error('the app is up but its gateway port is closed');
  }

  async killApp(): Promise<void> {
    const child = this.app;
    if (!child?.pid) throw new Error('no app to kill');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.app = undefined;
  }

  /** Stop whatever still runs (gracefully, then SIGKILL). */
  async stopAll(): Promise<void> {
    const child = this.app;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    await this.temporal?.stop();
    if (this.mongoPid && alive(this.mongoPid)) {
      process.kill(this.mongoPid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (alive(this.mongoPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(this.mongoPid)) process.kill(this.mongoPid, 'SIGKILL');
    }
  }
}
