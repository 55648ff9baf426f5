/**
 * `sora import-worker`: a process that serves only KB imports (the `kbImport` workflow and its
 * activities on SORA_IMPORT_TASK_QUEUE, one activity at a time). Run it on another machine or core
 * and set SORA_IMPORT_WORKER=off on the app, so embedding never shares a CPU with buyer replies.
 * Ctrl-C / SIGTERM: finishes the running activity's heartbeat and stops (Temporal retries the chunk elsewhere).
 */
import { cliConfig, cliMongoUri, err } from './support.js';

export async function run(): Promise<void> {
  const config = cliConfig();
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  const { workerConnection } = await import('../../infra/temporal/connection.js');
  const { createImportWorker } = await import('../worker.js');
  const { configuredTranslator } = await import('../translation.js');
  await connectMongo(cliMongoUri());
  const connection = await workerConnection(config.temporal);
  const worker = await createImportWorker({
    config,
    translator: configuredTranslator(config, (m) => err(m)),
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.kbImport.taskQueue,
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  err(`serving KB imports on task queue ${config.kbImport.taskQueue} (one activity at a time); Ctrl-C stops`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await disconnectMongo();
  }
}
