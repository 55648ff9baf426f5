/**
 * The application on top of a running Temporal + MongoDB: worker, gateway (with the web chat
 * channel), intake relay. Used by `npm start` and by the integration tests.
 */
import type { Worker } from '@temporalio/worker';
import { createTemporalClient } from '../bots/temporal-client.js';
import { startGateway, type Gateway } from '../bots/gateway.js';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import type { ChannelAdapter } from '../bots/channel.js';
import type { OrderSource } from '../activities/commerce/orders/source.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { adaptersFromEnv } from '../bots/channels.js';
import { connectMongo } from '../models/connection.js';
import { defaultStrategy } from '../workflows/contract.js';
import {
  conversationConfig,
  parseDuration,
  signalDeadlineMs,
  temporalConnection,
  type TemporalConnectionSettings,
} from '../temporal.config.js';
import type { ConversationConfig } from '../workflows/types.js';
import { createWorker } from './worker.js';
import { ensureCarrierKeyAuditSchedule } from './carrier-key-schedule.js';
import { operatorServices } from './operator-services.js';
import { log } from '../infra/log.js';
import { installRuntime } from './runtime.js';

export interface AppOptions {
  mongoUri: string;
  temporal?: TemporalConnectionSettings;
  gatewayHost?: string;
  gatewayPort?: number;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  conversation?: Partial<ConversationConfig>;
  relayIntervalMs?: number;
  webchatPollMs?: number;
  signalDeadlineMs?: number;
  /** Channel adapters to run (default: SORA_CHANNELS, see bots/channels.ts; webchatPollMs set → just web chat). */
  adapters?: ChannelAdapter[];
  /** Order sources for the worker's lookups (default: from the environment, see activities/index.ts). */
  orderSources?: OrderSource[];
  /** Create/update the daily carrier key audit schedule (default: with the worker, unless SORA_CARRIER_KEY_AUDIT=off). */
  carrierKeyAudit?: boolean;
}

export interface App {
  gateway: Gateway;
  intake: Intake;
  registry: ChannelRegistry;
  client: ReturnType<typeof createTemporalClient>['client'];
  worker?: Worker;
  stop(): Promise<void>;
}

export async function startApp(o: AppOptions): Promise<App> {
  installRuntime();
  await connectMongo(o.mongoUri);
  const settings = o.temporal ?? temporalConnection();
  const registry = new ChannelRegistry();
  const adapters = o.adapters ?? (o.webchatPollMs !== undefined ? [new WebchatAdapter({ pollMs: o.webchatPollMs })] : adaptersFromEnv());
  for (const a of adapters) registry.register(a);
  const { client, connection } = createTemporalClient(settings);
  const convConfig = { ...conversationConfig(), ...o.conversation };
  const intake = new Intake({
    client,
    connection,
    conversationConfig: convConfig,
    signalDeadlineMs: o.signalDeadlineMs ?? signalDeadlineMs(),
    log,
  });

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConn: { close(): Promise<void> } | undefined;
  if (o.worker !== false) {
    const { NativeConnection } = await import('@temporalio/worker');
    const nc = await NativeConnection.connect({ address: settings.address, tls: settings.tls, apiKey: settings.apiKey });
    nativeConn = nc;
    const created = await createWorker({
      registry,
      connection: nc,
      namespace: settings.namespace,
      alertWebhookUrl: process.env.SORA_ALERT_WEBHOOK_URL,
      orderSources: o.orderSources,
      temporalClient: client,
    });
    worker = created.worker;
    workerRun = worker.run();
    workerRun.catch((e) => log('worker stopped with an error', { error: String(e) }));
  }
  if (o.carrierKeyAudit ?? (o.worker !== false && process.env.SORA_CARRIER_KEY_AUDIT?.trim() !== 'off')) {
    try {
      const s = await ensureCarrierKeyAuditSchedule(client);
      log(`carrier key audit schedule ${s.outcome}`, { scheduleId: s.scheduleId });
    } catch (e) {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => undefined);
      await nativeConn?.close();
      await connection.close();
      throw new Error(
        `could not create the carrier key audit schedule: ${e instanceof Error ? e.message : String(e)} (SORA_CARRIER_KEY_AUDIT=off runs without it)`,
        { cause: e },
      );
    }
  }

  const gateway = await startGateway({
    host: o.gatewayHost ?? process.env.SORA_GATEWAY_HOST ?? '127.0.0.1',
    port: o.gatewayPort ?? Number(process.env.SORA_GATEWAY_PORT ?? 8080),
    registry,
    intake,
    client,
    operatorToken: process.env.SORA_OPERATOR_TOKEN,
    operator: operatorServices(defaultStrategy(convConfig)),
    log,
  });
  intake.startRelay(o.relayIntervalMs ?? parseDuration('SORA_RELAY_INTERVAL', '5s'));

  return {
    gateway,
    intake,
    registry,
    client,
    worker,
    async stop() {
      intake.stopRelay();
      await gateway.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => undefined);
      await nativeConn?.close();
      await connection.close();
    },
  };
}
