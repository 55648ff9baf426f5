/**
 * The launcher owns the servers it starts (README "Reliability"). Launcher processes
 * (test/setup/stack-launcher.ts, the functions `npm start` uses) on fixed free ports, one data and
 * pid-file folder:
 *   A  without the parent-death signal (as on a platform without setpriv), killed with SIGKILL:
 *      its MongoDB-wire and Temporal servers are left running and hold the ports (what `npm start`
 *      could not get past before);
 *   B  reclaims them from their pid files and comes up on the same ports; its MongoDB-wire server,
 *      killed, is started again and answers; B killed with SIGKILL takes its servers with it;
 *   C  starts on the same ports again and stops cleanly on SIGTERM, leaving no pid file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, expect, it } from 'vitest';
import { identify, readPidFiles } from '../scripts/stack/pid-file.js';
import { freePort, isPortOpen } from '../scripts/stack/process.js';
import { eventually } from './setup/helpers.js';

const script = fileURLToPath(new URL('./setup/stack-launcher.ts', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'sora-supervision-'));
const runDir = path.join(dir, 'run');
const launchers: ChildProcess[] = [];
const alive = (pid: number) => identify(pid) !== null;

afterAll(async () => {
  for (const l of launchers) if (l.exitCode === null && l.signalCode === null) l.kill('SIGTERM');
  await Promise.all(launchers.map((l) => (l.exitCode === null && l.signalCode === null ? once(l, 'exit') : undefined)));
  for (const r of readPidFiles(runDir)) if (alive(r.child.pid)) process.kill(r.child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Launcher {
  proc: ChildProcess;
  ready: { reclaimed: number[]; mongoPid: number; temporalPid: number };
  output: () => string;
}

async function launch(mongoPort: number, temporalPort: number, extra: string[] = []): Promise<Launcher> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, runDir, dir, String(mongoPort), String(temporalPort), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launchers.push(proc);
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const ready = await new Promise<Launcher['ready']>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`launcher not ready in 120 s:\n${out}`)), 120_000);
    proc.stdout!.on('data', () => {
      const m = /READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Launcher['ready']);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code}:\n${out}`));
    });
  });
  // The pid files are written once each server listens.
  await eventually(() => readPidFiles(runDir).length === 2, 30_000, 'both pid files');
  return { proc, ready, output: () => out };
}

async function kill9(proc: ChildProcess): Promise<void> {
  proc.kill('SIGKILL');
  if (proc.exitCode === null && proc.signalCode === null) await once(proc, 'exit');
}

it('a killed launcher is reclaimed on the next start, a killed server is restarted, and servers die with their launcher', async () => {
  const [mongoPort, temporalPort] = [await freePort(), await freePort()];

  const a = await launch(mongoPort, temporalPort, ['--no-parent-death']);
  await kill9(a.proc);
  await new Promise((r) => setTimeout(r, 1000));
  // Orphans: still running, still holding the ports.
  expect([alive(a.ready.mongoPid), alive(a.ready.temporalPid)]).toEqual([true, true]);
  expect(await isPortOpen('127.0.0.1', mongoPort)).toBe(true);

  const b = await launch(mongoPort, temporalPort);
  expect(b.ready.reclaimed.sort()).toEqual([a.ready.mongoPid, a.ready.temporalPid].sort());
  expect(alive(a.ready.mongoPid) || alive(a.ready.temporalPid)).toBe(false);

  // A crashed server comes back on its own.
  process.kill(b.ready.mongoPid, 'SIGKILL');
  await eventually(() => /stack process is back name="mongo-java-server"/.test(b.output()), 60_000, 'the restart');
  const restarted = readPidFiles(runDir).find((r) => r.name === 'mongo-java-server')!.child.pid;
  expect(restarted).not.toBe(b.ready.mongoPid);
  const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${mongoPort}/sora`).asPromise();
  expect(await conn.db!.admin().ping()).toMatchObject({ ok: 1 });
  await conn.close();

  // Killed with SIGKILL, the launcher takes its servers with it (parent-death signal).
  await kill9(b.proc);
  await eventually(() => !alive(restarted) && !alive(b.ready.temporalPid), 30_000, "the servers' exit");

  const c = await launch(mongoPort, temporalPort);
  expect(c.ready.reclaimed).toEqual([]);
  c.proc.kill('SIGTERM');
  const [code] = (await once(c.proc, 'exit')) as [number | null];
  expect(code, c.output()).toBe(0);
  expect([identify(c.ready.mongoPid), identify(c.ready.temporalPid)]).toEqual([null, null]);
  expect(readdirSync(runDir)).toEqual([]);
});
