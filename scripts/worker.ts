/** The Temporal worker: conversation workflows + their activities on one task queue. */
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type BundleOptions,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { defaultConfig } from '../infra/config/index.js';
import { workerConnection } from '../infra/temporal/connection.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Webpack settings so the bundler resolves our `.js` import specifiers to `.ts` sources. */
export const webpackConfigHook: NonNullable<BundleOptions['webpackConfigHook']> = (config) => {
  config.resolve = { ...(config.resolve ?? {}), extensionAlias: { '.js': ['.ts', '.js'] } };
  return config;
};

import { installRuntime } from './runtime.js';

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundle the workflow code once per process (≈5–10 s). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  installRuntime();
  cachedBundle ??= bundleWorkflowCode({ workflowsPath, webpackConfigHook, logger: bundlerLogger });
  return cachedBundle;
}

/** Webpack's module listing is noise; keep warnings and errors only. */
const bundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => process.stderr.write(`workflow bundle: ${m}\n`),
  error: (m: string) => process.stderr.write(`workflow bundle: ${m}\n`),
};

export interface WorkerOptions extends ActivityDeps {
  connection?: NativeConnection;
  namespace?: string;
  taskQueue?: string;
}

/** The worker on the configuration's Temporal target and task queue (`opts.config`, default: the defaults). */
export async function createWorker(
  opts: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection; ownsConnection: boolean }> {
  const temporal = (opts.config ?? defaultConfig()).temporal;
  const connection = opts.connection ?? (await workerConnection(temporal));
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace ?? temporal.namespace,
    taskQueue: opts.taskQueue ?? temporal.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(opts),
  });
  return { worker, connection, ownsConnection: !opts.connection };
}
