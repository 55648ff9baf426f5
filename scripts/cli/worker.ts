/**
 * `sora worker`: a process that serves only conversations (the conversation workflows and their
 * activities on SORA_TASK_QUEUE), no gateway. Start more of them (on this machine: `SORA_WORKERS`
 * with `npm start`; on others: point TEMPORAL_ADDRESS and MONGODB_URI at the shared servers) to
 * spread buyer messages over cores and machines: Temporal hands each workflow task to whichever
 * worker polls first. Like the app, it builds its shops' FAQ indexes before it starts polling.
 * Ctrl-C / SIGTERM: finishes the tasks in hand and stops (Temporal gives the rest to the others).
 */
import { cliConfig, cliMongoUri, cliSecrets, err } from './support.js';

export async function run(): Promise<void> {
  const config = cliConfig();
  const secrets = cliSecrets(config);
  const { connectMongo, disconnectMongo } = await import('../../models/connection.js');
  const { workerConnection } = await import('../../infra/temporal/connection.js');
  const { createWorker } = await import('../worker.js');
  const { createAdapters } = await import('../../bots/channels.js');
  const { ChannelRegistry } = await import('../../bots/registry.js');
  const { sharedEmbedder } = await import('../../activities/knowledge/embedder.js');
  const { KbIndex } = await import('../../activities/knowledge/kb-index.js');
  const { warmIndexes } = await import('../../activities/knowledge/kb-warm.js');
  const { log } = await import('../../infra/log.js');
  // Before the worker's bundle: the Temporal SDK's own metrics on SORA_TEMPORAL_METRICS_ADDRESS, when set.
  const { installRuntime } = await import('../runtime.js');
  installRuntime(config.log.level, config.metrics.temporalAddress);
  await connectMongo(cliMongoUri());
  // The configured channels' adapters, for their sends (web chat: the record the gateways' streams read).
  const registry = new ChannelRegistry();
  for (const a of createAdapters(config.channels, undefined, { secrets, shopify: config.shopify })) registry.register(a);
  const embedder = sharedEmbedder(config.embedding);
  const kbIndex = new KbIndex(embedder, config.understanding);
  if (config.understanding.warmShops > 0) await warmIndexes(kbIndex, embedder, { maxShops: config.understanding.warmShops, log });
  const connection = await workerConnection(config.temporal);
  // The translation provider, when understanding pivots through it (SORA_UNDERSTAND_PIVOT).
  const { configuredTranslator } = await import('../translation.js');
  const translator = config.translation.pivot ? configuredTranslator(config, log) : null;
  const { worker } = await createWorker({ registry, config, secrets, connection, kbIndex, translator });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => worker.shutdown());
  // This process's own counters (sends, activity failures, carrier calls) on SORA_WORKER_METRICS_ADDRESS.
  const { startMetricsServer } = await import('../../bots/metrics-server.js');
  const metrics = config.metrics.workerAddress
    ? await startMetricsServer(config.metrics.workerAddress, {
        registry,
        public: config.metrics.public,
        operatorToken: config.gateway.operatorToken,
        sessionTtlMs: config.gateway.deskSessionTtlMs,
      })
    : undefined;
  err(
    `serving conversations on task queue ${config.temporal.taskQueue} (${config.temporal.address})` +
      (metrics ? `; metrics on ${metrics.url}/metrics` : '') +
      '; Ctrl-C stops',
  );
  try {
    await worker.run();
  } finally {
    await metrics?.close();
    await connection.close();
    await disconnectMongo();
  }
}
