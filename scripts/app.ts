/**
 * The application on top of a running Temporal + MongoDB: worker, gateway (with the web chat
 * channel), intake relay. Used by `npm start` and by the integration tests.
 */
import { flushTurnEvents } from '../activities/insights/turn-events.js';
import type { Worker } from '@temporalio/worker';
import { createTemporalClient } from '../bots/temporal-client.js';
import { startGateway, type Gateway } from '../bots/gateway.js';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import type { ChannelAdapter } from '../bots/channel.js';
import type { OrderSource } from '../activities/commerce/orders/source.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { createAdapters } from '../bots/channels.js';
import { connectMongo } from '../models/connection.js';
import { defaultConfig, type Config, type TemporalConfig, type TemporalTarget, type WebchatSettings } from '../infra/config/index.js';
import { workerConnection } from '../infra/temporal/connection.js';
import { conversationConfig } from '../temporal.config.js';
import type { ConversationConfig } from '../workflows/types.js';
import { createImportWorker, createSendWorker, createWorker } from './worker.js';
import { processTaskQueue } from '../infra/process-identity.js';
import { ensureCarrierKeyAuditSchedule } from './carrier-key-schedule.js';
import { log, setLogLevel } from '../infra/log.js';
import { operatorServices } from './operator-services.js';
import { defaultStrategy } from '../workflows/contract.js';
import { installRuntime } from './runtime.js';
import { bootstrapOperatorCredential } from './operator-bootstrap.js';
import { bootstrapFirstAdmin, deskBaseUrl } from './desk-bootstrap.js';
import { sharedSecretBox, type SecretBox } from '../infra/secrets/index.js';
import { prepareSecrets } from '../models/sealed-collections.js';
import { sharedEmbedder } from '../activities/knowledge/embedder.js';
import { KbIndex } from '../activities/knowledge/kb-index.js';
import { warmIndexes, type WarmResult } from '../activities/knowledge/kb-warm.js';
import { missedServices } from './missed-services.js';
import { configuredTranslator } from './translation.js';
import type { Translator } from '../infra/translation/index.js';

export interface AppOptions {
  /** The configuration, parsed once at start (loadConfig); default: every default. The options below override parts of it. */
  config?: Config;
  mongoUri: string;
  /** Replaces config.temporal's address/namespace/TLS/API key (tests: their own server). */
  temporal?: TemporalTarget;
  gatewayHost?: string;
  gatewayPort?: number;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /**
   * Serve the sends of this process's process-bound adapters (Baileys WhatsApp) on its own task
   * queue (default: when it runs a worker). Without it such an adapter does not record itself as its
   * sessions' holder, and sends go to the shared queue as before.
   */
  sendWorker?: boolean;
  conversation?: Partial<ConversationConfig>;
  relayIntervalMs?: number;
  webchatPollMs?: number;
  signalDeadlineMs?: number;
  /** Channel adapters to run (default: config.channels, see bots/channels.ts; webchatPollMs set → just web chat). */
  adapters?: ChannelAdapter[];
  /** Order sources for the worker's lookups (default: from the configuration, see activities/index.ts). */
  orderSources?: OrderSource[];
  /** The machine translation provider (tests: one against a local fake); default: the configuration's (SORA_TRANSLATOR). */
  translator?: Translator | null;
  /**
   * Where the first start prints the initial operator token (scripts/operator-bootstrap.ts); default:
   * straight to stdout, never through the logger.
   */
  printOperatorToken?: (text: string) => void;
  /**
   * Where the first start prints the first desk admin's one-time sign-in link
   * (scripts/desk-bootstrap.ts); default: straight to stdout, never through the logger.
   */
  printDeskSetup?: (text: string) => void;
  /**
   * Run the KB import worker (SORA_IMPORT_TASK_QUEUE, one activity at a time) in this process;
   * default: with the worker, unless SORA_IMPORT_WORKER=off.
   */
  importWorker?: boolean;
  /** Create/update the daily carrier key audit schedule (default: with the worker, unless SORA_CARRIER_KEY_AUDIT=off). */
  carrierKeyAudit?: boolean;
  /**
   * Seals the secrets stored in MongoDB (infra/secrets); default: openSecretBox(config.secrets), once
   * per process. Plaintext secrets left by older versions are sealed at start.
   */
  secrets?: SecretBox;
}

export interface App {
  gateway: Gateway;
  intake: Intake;
  registry: ChannelRegistry;
  client: ReturnType<typeof createTemporalClient>['client'];
  worker?: Worker;
  /** This process's own task queue, when it serves the sends of process-bound adapters. */
  processQueue?: string;
  /** Build these shops' FAQ indexes now (the worker's; start.ts after seeding the demo shop). No worker: nothing to warm. */
  warm(shopIds: string[]): Promise<WarmResult | null>;
  stop(): Promise<void>;
}

/** The web chat settings of the configuration (SORA_WEBCHAT_*), when web chat is enabled there. */
function configuredWebchat(config: Config): Partial<WebchatSettings> {
  return (config.channels.enabled.find((c) => c.id === 'webchat')?.settings ?? {}) as Partial<WebchatSettings>;
}

export async function startApp(o: AppOptions): Promise<App> {
  const config = o.config ?? defaultConfig();
  setLogLevel(config.log.level);
  installRuntime(config.log.level, config.metrics.temporalAddress);
  await connectMongo(o.mongoUri);
  const secrets = o.secrets ?? sharedSecretBox(config.secrets);
  const { sealed } = await prepareSecrets(secrets);
  // Created once; null when SORA_TRANSLATOR=none (nothing is ever called, the log says so once).
  const translator = o.translator !== undefined ? o.translator : configuredTranslator(config, log);
  if (sealed) log('sealed secrets stored in plaintext by an older version', { count: sealed, masterKey: secrets.currentKeyId });
  // An explicit target (tests, benchmarks: their own server) replaces the configured one; queue and deadline stay.
  const { taskQueue, signalDeadlineMs } = config.temporal;
  const temporal: TemporalConfig = o.temporal ? { ...o.temporal, external: true, taskQueue, signalDeadlineMs } : config.temporal;
  const registry = new ChannelRegistry();
  const adapters =
    o.adapters ??
    (o.webchatPollMs !== undefined
      ? [new WebchatAdapter({ ...configuredWebchat(config), pollMs: o.webchatPollMs, shopify: config.shopify })]
      : createAdapters(config.channels, undefined, { secrets, shopify: config.shopify }));
  for (const a of adapters) registry.register(a);
  const { client, connection } = createTemporalClient(temporal);
  // Channels whose sends must run in the process holding the connection: the workflow asks where (deliver in run.ts).
  const processBound = registry.processBound();
  // What channels change in their conversations' strategy (email: no nudge, idle close in hours).
  const channelStrategies = registry.channelStrategies();
  const convConfig: ConversationConfig = {
    ...conversationConfig(config.conversation),
    ...(processBound.length ? { processBoundChannels: processBound } : {}),
    ...(Object.keys(channelStrategies).length ? { channelStrategies } : {}),
    ...o.conversation,
  };
  const intake = new Intake({
    client,
    connection,
    conversationConfig: convConfig,
    signalDeadlineMs: o.signalDeadlineMs ?? temporal.signalDeadlineMs,
    taskQueue: temporal.taskQueue,
    log,
  });

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConn: Awaited<ReturnType<typeof workerConnection>> | undefined;
  let sendWorker: Worker | undefined;
  let sendWorkerRun: Promise<void> | undefined;
  let importWorker: Worker | undefined;
  let importWorkerRun: Promise<void> | undefined;
  const processQueue = processBound.length && (o.sendWorker ?? o.worker !== false) ? processTaskQueue(temporal.taskQueue) : undefined;
  if (processQueue) {
    nativeConn = await workerConnection(temporal);
    sendWorker = await createSendWorker({
      registry,
      config,
      secrets,
      connection: nativeConn,
      namespace: temporal.namespace,
      taskQueue: processQueue,
    });
    sendWorkerRun = sendWorker.run();
    sendWorkerRun.catch((e) => log('send worker stopped with an error', { error: String(e) }));
    log('serving the sends of this process on its own task queue', { channels: processBound, taskQueue: processQueue });
  }
  const stopWorkers = async () => {
    for (const w of [worker, sendWorker, importWorker]) if (w?.getState() === 'RUNNING') w.shutdown();
    await workerRun?.catch(() => undefined);
    await importWorkerRun?.catch(() => undefined);
    await sendWorkerRun?.catch(() => undefined);
    await nativeConn?.close();
  };
  const embedder = sharedEmbedder(config.embedding);
  const kbIndex = o.worker !== false ? new KbIndex(embedder, config.understanding) : undefined;
  if (o.worker !== false) {
    const nc = nativeConn ?? (await workerConnection(temporal));
    nativeConn = nc;
    const created = await createWorker({
      kbIndex,
      registry,
      translator,
      config,
      secrets,
      connection: nc,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      orderSources: o.orderSources,
      temporalClient: client,
    });
    worker = created.worker;
    workerRun = worker.run();
    workerRun.catch((e) => log('worker stopped with an error', { error: String(e) }));
  }
  if (o.importWorker ?? (o.worker !== false && config.kbImport.worker)) {
    const nc = nativeConn ?? (await workerConnection(temporal));
    nativeConn = nc;
    importWorker = await createImportWorker({
      config,
      translator,
      connection: nc,
      namespace: temporal.namespace,
      taskQueue: config.kbImport.taskQueue,
    });
    importWorkerRun = importWorker.run();
    importWorkerRun.catch((e) => log('import worker stopped with an error', { error: String(e) }));
  }
  if (o.carrierKeyAudit ?? (o.worker !== false && config.carriers.audit)) {
    try {
      const s = await ensureCarrierKeyAuditSchedule(client, { settings: config.carriers.keys, taskQueue: temporal.taskQueue });
      log(`carrier key audit schedule ${s.outcome}`, { scheduleId: s.scheduleId });
    } catch (e) {
      await stopWorkers();
      await connection.close();
      throw new Error(
        `could not create the carrier key audit schedule: ${e instanceof Error ? e.message : String(e)} (SORA_CARRIER_KEY_AUDIT=off runs without it)`,
        { cause: e },
      );
    }
  }

  // Warm before listening: a gateway that answers /healthz has its shops' indexes built (kb-warm.ts).
  if (kbIndex && config.understanding.warmShops > 0) {
    try {
      await warmIndexes(kbIndex, embedder, { maxShops: config.understanding.warmShops, log });
    } catch (e) {
      log('FAQ index warm-up failed; the first messages build the indexes', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  const gateway = await startGateway({
    host: o.gatewayHost ?? config.gateway.host,
    port: o.gatewayPort ?? config.gateway.port,
    registry,
    intake,
    client,
    operatorToken: config.gateway.operatorToken,
    metricsPublic: config.metrics.public,
    carrierKeyWarnHours: config.carriers.keys.warnHours,
    rateLimits: config.gateway.rateLimits,
    deskSessionTtlMs: config.gateway.deskSessionTtlMs,
    deskUrl: config.gateway.deskUrl,
    temporalUiUrl: config.gateway.temporalUiUrl,
    billing: config.billing,
    fcrWindowMs: config.insights.fcrWindowMs,
    operator: operatorServices(defaultStrategy(convConfig), {
      carrierKeys: config.carriers.keys,
      embedding: config.embedding,
      temporal: client,
      kbImport: { client, ...config.kbImport },
    }),
    missed: missedServices({
      embedder,
      kbIndex: kbIndex ?? new KbIndex(embedder, config.understanding),
      model: config.embedding.model,
      translator,
    }),
    translator,
    log,
    processQueue,
  });
  intake.startRelay(o.relayIntervalMs ?? config.gateway.relayIntervalMs);
  try {
    await bootstrapOperatorCredential({
      envTokenSet: !!config.gateway.operatorToken,
      gatewayUrl: gateway.url,
      print: o.printOperatorToken ?? ((t) => void process.stdout.write(t)),
    });
    await bootstrapFirstAdmin({
      baseUrl: deskBaseUrl(config.gateway, gateway.url),
      print: o.printDeskSetup ?? ((t) => void process.stdout.write(t)),
    });
  } catch (e) {
    intake.stopRelay();
    await gateway.stop();
    await stopWorkers();
    await connection.close();
    throw e;
  }

  return {
    gateway,
    intake,
    registry,
    client,
    worker,
    processQueue,
    warm: async (shopIds) => (kbIndex ? warmIndexes(kbIndex, embedder, { shopIds, log }) : null),
    async stop() {
      intake.stopRelay();
      await gateway.stop();
      await stopWorkers();
      // Service events of buyer messages still waiting for a reply (activities/insights/turn-events.ts).
      await flushTurnEvents();
      await connection.close();
    },
  };
}
