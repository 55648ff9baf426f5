/**
 * CPU time and memory of the stack's processes from /proc (Linux): `/proc/<pid>/stat` (utime +
 * stime in clock ticks) and `/proc/<pid>/status` (VmRSS, VmHWM). A monitor samples them every
 * second for the peak RSS; CPU seconds are the difference between a step's first and last sample.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** utime + stime of a /proc/<pid>/stat line, in clock ticks (the command name may hold spaces and parentheses). */
export function parseStatTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('not a /proc/<pid>/stat line');
  return utime + stime;
}

/** A `Name:   123 kB` field of /proc/<pid>/status, in bytes (undefined when absent). */
export function parseStatusKb(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticks = Number(r.stdout?.trim()) || 100;
  }
  return ticks;
}

export interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
}

/** The process's CPU seconds and RSS now, or null when it is gone (or not Linux). */
export function sampleProcess(pid: number): ProcSample | null {
  try {
    const cpuSeconds = parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicks();
    const rssBytes = parseStatusKb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS') ?? 0;
    return { cpuSeconds, rssBytes };
  } catch {
    return null;
  }
}

export interface ProcUsage {
  /** CPU seconds used between start() and stop(). */
  cpuSeconds: number;
  rssPeakBytes: number;
  rssEndBytes: number;
}

/** Samples named processes once a second between start() and stop(). */
export class ProcessMonitor {
  private first = new Map<string, ProcSample>();
  private last = new Map<string, ProcSample>();
  private peak = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: Record<string, number>) {}

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = sampleProcess(pid);
      if (!s) continue;
      if (!this.first.has(name)) this.first.set(name, s);
      this.last.set(name, s);
      this.peak.set(name, Math.max(this.peak.get(name) ?? 0, s.rssBytes));
    }
  }

  start(intervalMs = 1000): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  /** Current RSS of each process (MB), for progress lines. */
  rssNow(): Record<string, number> {
    return Object.fromEntries([...this.last].map(([n, s]) => [n, s.rssBytes]));
  }

  stop(): Record<string, ProcUsage> {
    clearInterval(this.timer);
    this.sample();
    const out: Record<string, ProcUsage> = {};
    for (const [name, end] of this.last) {
      out[name] = {
        cpuSeconds: end.cpuSeconds - (this.first.get(name)?.cpuSeconds ?? end.cpuSeconds),
        rssPeakBytes: this.peak.get(name) ?? end.rssBytes,
        rssEndBytes: end.rssBytes,
      };
    }
    return out;
  }
}
