/**
 * `SORA_WORKERS=N` with `npm start`: N−1 `sora worker` processes (scripts/cli/worker.ts) next to the
 * app, on the same Temporal server, task queue and database, so conversations use more than one
 * main thread. They stop with the launcher (and when it dies: spawnService's parent-death guard);
 * one that exits on its own is started again with backoff. Their logs: SORA_HOME/logs/worker-K.log.
 */
import { fileURLToPath } from 'node:url';
import { environmentWith } from '../../infra/config/index.js';
import { spawnService, type Service } from './process.js';

export interface ExtraWorkers {
  services: Service[];
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

export async function startExtraWorkers(
  count: number,
  o: {
    temporalAddress: string;
    mongoUri: string;
    logDir: string;
    log: (msg: string, fields?: Record<string, unknown>) => void;
    /** SORA_TEMPORAL_METRICS_ADDRESS (the app's): worker k serves the SDK's metrics on port + k − 1. */
    temporalMetricsAddress?: string;
    /** SORA_WORKER_METRICS_ADDRESS: worker k serves GET /metrics on port + k − 2. */
    workerMetricsAddress?: string;
  },
): Promise<ExtraWorkers> {
  const services: Service[] = [];
  for (let k = 2; k <= count + 1; k++) {
    const env = environmentWith({
      TEMPORAL_ADDRESS: o.temporalAddress,
      MONGODB_URI: o.mongoUri,
      // One metrics address per process: the app keeps the configured ones, each worker the next ports.
      ...(o.temporalMetricsAddress ? { SORA_TEMPORAL_METRICS_ADDRESS: shiftPort(o.temporalMetricsAddress, k - 1) } : {}),
      ...(o.workerMetricsAddress ? { SORA_WORKER_METRICS_ADDRESS: shiftPort(o.workerMetricsAddress, k - 2) } : {}),
    });
    const name = `worker-${k}`;
    services.push(
      spawnService(name, process.execPath, ['--import', 'tsx', CLI, 'worker'], o.logDir, { env, restartWhenExited: true, log: o.log }),
    );
  }
  o.log('extra conversation workers started', { count, logs: o.logDir, pids: services.map((s) => s.child.pid) });
  return { services, stop: async () => void (await Promise.all(services.map((s) => s.stop()))) };
}

/** `host:port` with the port moved by `by`. */
export function shiftPort(address: string, by: number): string {
  const i = address.lastIndexOf(':');
  return `${address.slice(0, i)}:${Number(address.slice(i + 1)) + by}`;
}
