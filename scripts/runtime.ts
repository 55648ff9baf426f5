/**
 * One Temporal Runtime per process with a compact one-line logger (workflow/activity context kept,
 * task tokens dropped, secrets redacted as in infra/log.ts). SORA_LOG_LEVEL: TRACE | DEBUG | INFO (default) | WARN | ERROR | silent.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';
import { redact, redactText } from '../infra/secrets/redact.js';

const KEEP = new Set(['workflowId', 'workflowType', 'activityType', 'attempt', 'taskQueue']);
const DROP = new Set(['taskToken', 'sdkComponent', 'namespace', 'runId', 'workflowRunId', 'activityId', 'isLocal']);

function line(entry: LogEntry): void {
  const meta = redact(entry.meta ?? {}) as Record<string, unknown>;
  const kv = Object.entries(meta)
    .filter(([k]) => !DROP.has(k) && (KEEP.has(k) || typeof meta[k] !== 'object' || meta[k] === null))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  process.stderr.write(`${time} ${entry.level} ${redactText(entry.message)}${kv ? ' ' + kv : ''}\n`);
}

let installed = false;
/**
 * `logLevel`: config.log.level; `metricsAddress`: SORA_TEMPORAL_METRICS_ADDRESS, where the SDK serves
 * its own worker metrics in Prometheus format (unset: off). The first call in a process wins.
 */
export function installRuntime(logLevel = 'INFO', metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const name = logLevel.toUpperCase();
  const level = (name === 'SILENT' ? 'ERROR' : name) as LogLevel;
  const logger = name === 'SILENT' ? new DefaultLogger('ERROR', () => {}) : new DefaultLogger(level, line);
  try {
    Runtime.install({
      logger,
      telemetryOptions: {
        logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} },
        ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
      },
    });
  } catch {
    // A Runtime already exists in this process (e.g. created by the test environment); keep it.
  }
}
