/**
 * One Temporal Runtime per process with a compact one-line logger (workflow/activity context kept,
 * task tokens dropped). SORA_LOG_LEVEL: TRACE | DEBUG | INFO (default) | WARN | ERROR | silent.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';

const KEEP = new Set(['workflowId', 'workflowType', 'activityType', 'attempt', 'taskQueue']);
const DROP = new Set(['taskToken', 'sdkComponent', 'namespace', 'runId', 'workflowRunId', 'activityId', 'isLocal']);

function line(entry: LogEntry): void {
  const meta = entry.meta ?? {};
  const kv = Object.entries(meta)
    .filter(([k]) => !DROP.has(k) && (KEEP.has(k) || typeof meta[k] !== 'object' || meta[k] === null))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  process.stderr.write(`${time} ${entry.level} ${entry.message}${kv ? ' ' + kv : ''}\n`);
}

let installed = false;
export function installRuntime(): void {
  if (installed) return;
  installed = true;
  const env = (process.env.SORA_LOG_LEVEL ?? 'INFO').toUpperCase();
  const level = (env === 'SILENT' ? 'ERROR' : env) as LogLevel;
  const logger = env === 'SILENT' ? new DefaultLogger('ERROR', () => {}) : new DefaultLogger(level, line);
  try {
    Runtime.install({ logger, telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // A Runtime already exists in this process (e.g. created by the test environment); keep it.
  }
}
