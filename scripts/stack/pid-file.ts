/**
 * Pid files of the launcher's children: `<runDir>/<name>.json` (runDir = SORA_HOME/run) names the
 * child and the launcher that started it, each with its start time and command line, so a pid the
 * system has since given to another process is never taken for ours. `npm start` reads them first:
 * children whose launcher is gone are terminated (reclaimed); a live launcher means the stack is
 * already running.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ProcessIdentity {
  pid: number;
  /** Start time as the OS reports it (Linux: clock ticks after boot; elsewhere `ps -o lstart`). */
  startedAt: string;
  command: string;
}

export interface PidRecord {
  name: string;
  child: ProcessIdentity;
  launcher: ProcessIdentity;
}

export class StackAlreadyRunningError extends Error {}

/** The identity of a running process, or null when no (live, non-zombie) process has this pid. */
export function identify(pid: number): ProcessIdentity | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name in parentheses: state is the 3rd field, start time the 22nd.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || rest[0] === 'X') return null;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      return { pid, startedAt: rest[19]!, command };
    } catch {
      return null;
    }
  }
  const ps = (field: string) => spawnSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' });
  const start = ps('lstart');
  const stat = ps('stat');
  if (start.status !== 0 || !start.stdout.trim() || stat.stdout.trim().startsWith('Z')) return null;
  return { pid, startedAt: start.stdout.trim(), command: ps('command').stdout.trim() };
}

/** True when `who` still runs: same pid, start time and command line. */
export function stillRunning(who: ProcessIdentity): boolean {
  const now = identify(who.pid);
  return now !== null && now.startedAt === who.startedAt && now.command === who.command;
}

const fileOf = (runDir: string, name: string) => path.join(runDir, `${name}.json`);

export function writePidFile(runDir: string, name: string, childPid: number): void {
  const child = identify(childPid);
  const launcher = identify(process.pid);
  if (!child || !launcher) return; // the child is already gone; its exit is handled elsewhere
  mkdirSync(runDir, { recursive: true });
  const record: PidRecord = { name, child, launcher };
  writeFileSync(fileOf(runDir, name), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes `name`'s pid file if it still names `childPid`. */
export function removePidFile(runDir: string, name: string, childPid: number | undefined): void {
  const file = fileOf(runDir, name);
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    if (record.child.pid === childPid) rmSync(file, { force: true });
  } catch {
    // no file, or not ours to read: nothing to remove
  }
}

export function readPidFiles(runDir: string): PidRecord[] {
  if (!existsSync(runDir)) return [];
  const records: PidRecord[] = [];
  for (const f of readdirSync(runDir).filter((f) => f.endsWith('.json'))) {
    try {
      records.push(JSON.parse(readFileSync(path.join(runDir, f), 'utf8')) as PidRecord);
    } catch {
      rmSync(path.join(runDir, f), { force: true }); // unreadable: written by a launcher killed mid-write
    }
  }
  return records;
}

async function terminate(who: ProcessIdentity, graceMs: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(who.pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (stillRunning(who) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (stillRunning(who)) signal('SIGKILL');
  while (stillRunning(who)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Before starting the stack: terminates every child recorded in runDir whose launcher is gone
 * (SIGTERM, SIGKILL after `graceMs`) and removes the stale files. Throws StackAlreadyRunningError
 * when a recorded launcher still runs. Returns what was reclaimed.
 */
export async function reclaimOrphans(
  runDir: string,
  log: (msg: string, fields: Record<string, unknown>) => void,
  graceMs = 10_000,
): Promise<PidRecord[]> {
  const records = readPidFiles(runDir);
  const live = records.find((r) => r.launcher.pid !== process.pid && stillRunning(r.launcher));
  if (live)
    throw new StackAlreadyRunningError(
      `the stack is already running (launcher pid ${live.launcher.pid}, ${live.name} pid ${live.child.pid}); stop it first`,
    );
  const reclaimed: PidRecord[] = [];
  for (const r of records) {
    if (stillRunning(r.child)) {
      log('reclaiming a child of a launcher that is gone', { name: r.name, pid: r.child.pid, launcherPid: r.launcher.pid });
      await terminate(r.child, graceMs);
      reclaimed.push(r);
    }
    rmSync(fileOf(runDir, r.name), { force: true });
  }
  return reclaimed;
}
