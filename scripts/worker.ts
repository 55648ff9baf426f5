/** The Temporal worker: conversation workflows + their activities on one task queue. */
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type BundleOptions,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities, createSendActivities, type ActivityDeps } from '../activities/index.js';
import { sharedEmbedder, type Embedder } from '../activities/knowledge/embedder.js';
import { createKbImportActivities } from '../activities/knowledge/kb-import-activities.js';
import { retryAlertInterceptor } from '../activities/retry-alert.js';
import { activityMetricsInterceptor } from '../activities/metrics-interceptor.js';
import { defaultConfig } from '../infra/config/index.js';
import type { Translator } from '../infra/translation/index.js';
import { processIdentity } from '../infra/process-identity.js';
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
  /** Cached workflow runs (sticky execution); default the SDK's. 0: every workflow task may go to any worker. */
  maxCachedWorkflows?: number;
  /** Alert the operators when an activity starts this attempt (default activities/retry-alert.ts). */
  retryAlertAfterAttempts?: number;
}

function interceptors(opts: ActivityDeps & { retryAlertAfterAttempts?: number }) {
  const alertWebhookUrl = opts.alertWebhookUrl ?? (opts.config ?? defaultConfig()).alerts.webhookUrl;
  return {
    activity: [retryAlertInterceptor({ alertWebhookUrl, alertAfterAttempts: opts.retryAlertAfterAttempts }), activityMetricsInterceptor()],
  };
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
    identity: opts.identity ?? processIdentity(),
    workflowBundle: await workflowBundle(),
    activities: createActivities(opts),
    interceptors: interceptors(opts),
    maxCachedWorkflows: opts.maxCachedWorkflows ?? (opts.config ?? defaultConfig()).worker.cachedWorkflows,
  });
  return { worker, connection, ownsConnection: !opts.connection };
}

/**
 * The worker on this process's own task queue (infra/process-identity.ts, processTaskQueue): the
 * send activity only, no workflows. The conversation workflow sends there for a channel whose
 * connection lives in this process (Baileys WhatsApp), found through models/channel-session.ts;
 * see temporalio/samples-typescript worker-specific-task-queues.
 */
export async function createSendWorker(opts: ActivityDeps & { connection: NativeConnection; namespace: string; taskQueue: string }) {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    identity: opts.identity ?? processIdentity(),
    activities: createSendActivities(opts),
    interceptors: interceptors(opts),
  });
}

/**
 * The worker of the imports task queue (SORA_IMPORT_TASK_QUEUE): the `kbImport` workflow and its
 * activities, one activity at a time, so an import (minutes of embedding) never takes the slots of
 * conversations and at most one import per process embeds at once. Heartbeats reach the server at
 * least every 2 s, so a cancel stops the running chunk within a batch or two.
 */
export async function createImportWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  embedder?: Embedder;
  /** The configured translation provider (scripts/translation.ts); null or absent: none. */
  translator?: Translator | null;
  config?: ActivityDeps['config'];
  identity?: string;
}): Promise<Worker> {
  const config = opts.config ?? defaultConfig();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    identity: opts.identity ?? processIdentity(),
    workflowBundle: await workflowBundle(),
    activities: createKbImportActivities(opts.embedder ?? sharedEmbedder(config.embedding), opts.translator ?? null),
    maxConcurrentActivityTaskExecutions: 1,
    maxConcurrentWorkflowTaskExecutions: 2,
    maxHeartbeatThrottleInterval: '2s',
  });
}
