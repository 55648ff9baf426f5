/**
 * Child processes of the embedded stack: spawn with a log file, wait for the port, stop cleanly.
 * The launcher owns them: they get SIGTERM when it dies (parent-death.ts), they are recorded in a
 * pid file while up (`runDir`, pid-file.ts), and one that exits on its own is started again with
 * backoff (`restartPort`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { log as defaultLog } from '../../infra/log.js';
import { dieWithParent } from './parent-death.js';
import { removePidFile, writePidFile } from './pid-file.js';

export interface Service {
  name: string;
  /** The current process (a new one after each restart). */
  readonly child: ChildProcess;
  logFile: string;
  /** How many times it was started again after exiting on its own. */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** The child's environment (default: this process's, inherited). */
  env?: NodeJS.ProcessEnv;
  /** Folder for the pid file (the launcher's SORA_HOME/run); none: no pid file. */
  runDir?: string;
  /** Start it again when it exits on its own, and count it back once this port listens. */
  restartPort?: number;
  /** Start it again when it exits on its own (a process without a port: an extra worker). */
  restartWhenExited?: boolean;
  /** SIGTERM to the child when this process dies (default true, where the platform allows). */
  dieWithParent?: boolean;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/**
 * How the launcher (`npm start`) runs a server: a pid file in `runDir`, a restart with backoff when
 * it exits on its own. Tests and benchmarks leave it out.
 */
export interface Supervision {
  runDir: string;
  /** Default true; false only to test the pid-file path. */
  dieWithParent?: boolean;
}

export function supervised(port: number, supervise?: Supervision): ServiceOptions {
  return supervise ? { runDir: supervise.runDir, restartPort: port, dieWithParent: supervise.dieWithParent } : {};
}

/** Backoff before restart n (1-based): 1 s, 2 s, 4 s … 30 s; a child that ran 60 s starts over at 1 s. */
export const restartDelayMs = (n: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));
const STABLE_MS = 60_000;

export function spawnService(name: string, cmd: string, args: string[], logDir: string, opts: ServiceOptions = {}): Service {
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const log = opts.log ?? defaultLog;
  const [file, argv] = opts.dieWithParent === false ? [cmd, args] : dieWithParent(cmd, args);
  let stopping = false;
  let restarts = 0;
  let failuresInARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let child!: ChildProcess;
  let exited!: Promise<void>;

  const launch = () => {
    const startedAt = Date.now();
    // The child writes its log file itself: no pipe through this process that could break.
    const out = openSync(logFile, 'a');
    const c = spawn(file, argv, { stdio: ['ignore', out, out], env: opts.env, detached: false });
    closeSync(out);
    c.once('error', (e) => log('could not start a stack process', { name, error: String(e) }));
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.once('exit', (code, signal) => {
      if (opts.runDir) removePidFile(opts.runDir, name, c.pid);
      if (stopping || (opts.restartPort === undefined && !opts.restartWhenExited)) return;
      failuresInARow = Date.now() - startedAt >= STABLE_MS ? 1 : failuresInARow + 1;
      const delayMs = restartDelayMs(failuresInARow);
      log('stack process exited; restarting', { name, pid: c.pid, code, signal, inMs: delayMs, logFile });
      restartTimer = setTimeout(() => void restart(), delayMs);
    });
    child = c;
  };

  const recordWhenUp = async (c: ChildProcess) => {
    if (!opts.runDir || opts.restartPort === undefined) return;
    while (!stopping && c.exitCode === null && c.signalCode === null) {
      if (await isPortOpen('127.0.0.1', opts.restartPort)) {
        // Written once it listens: by then the wrapper has exec'd and the command line is final.
        writePidFile(opts.runDir, name, c.pid!);
        return true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  };

  const restart = async () => {
    if (stopping) return;
    restarts++;
    const t0 = Date.now();
    launch();
    if (await recordWhenUp(child)) log('stack process is back', { name, pid: child.pid, afterMs: Date.now() - t0 });
  };

  launch();
  void recordWhenUp(child);
  return {
    name,
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    logFile,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const c = child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function isPortOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function waitForPort(service: Service, host: string, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = service.child;
    if (exitCode !== null || signalCode !== null)
      throw new Error(`${service.name} exited with ${exitCode ?? signalCode}; see ${service.logFile}`);
    if (await isPortOpen(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} did not listen on ${host}:${port} within ${timeoutMs} ms; see ${service.logFile}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
