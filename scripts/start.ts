/**
 * `npm start`: install what is missing into ./.sora, start the embedded stack on loopback
 * (Temporal dev server + Web UI, MongoDB-wire server), then worker + gateway + demo shop.
 * Ctrl-C stops everything; the next start reuses the data in ./.sora.
 */
import { installStack, MissingPrerequisiteError } from './stack/install.js';
import { startDefaultMongo, hasMongod, type MongoServer } from './stack/mongo-server.js';
import { paths } from '../infra/paths.js';
import { isPortOpen } from './stack/process.js';
import { startTemporalDevServer, type TemporalDevServer } from './stack/temporal-server.js';
import { seedDemoShop, DEMO_SHOP_ID } from './demo/demo-shop.js';
import { startDemoCarrier, type DemoCarrier } from './demo/demo-carrier.js';
import { startApp, type App } from './app.js';
import { log } from '../infra/log.js';
import { adaptersFromEnv, ChannelConfigError } from '../bots/channels.js';
import type { ChannelAdapter } from '../bots/channel.js';

async function main(): Promise<void> {
  const t0 = Date.now();
  const externalTemporal = !!process.env.TEMPORAL_ADDRESS;
  const needMongoJava = !process.env.MONGODB_URI && !hasMongod();
  // Channel settings first: a typo in SORA_CHANNELS or a missing token stops here, before anything starts.
  let adapters: ChannelAdapter[];
  try {
    adapters = adaptersFromEnv();
  } catch (e) {
    if (e instanceof ChannelConfigError) {
      process.stderr.write(`sora: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  try {
    installStack({ temporal: !externalTemporal, mongoJavaServer: needMongoJava, models: true });
  } catch (e) {
    if (e instanceof MissingPrerequisiteError) {
      process.stderr.write(`sora: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  const temporalPort = Number(process.env.SORA_TEMPORAL_PORT ?? 7233);
  const uiPort = Number(process.env.SORA_TEMPORAL_UI_PORT ?? 8233);
  const mongoPort = Number(process.env.SORA_MONGO_PORT ?? 27017);
  let temporal: TemporalDevServer | undefined;
  let mongo: MongoServer | undefined;
  let app: App | undefined;
  let demoCarrier: DemoCarrier | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping …');
    await app?.stop().catch((e) => log('app stop failed', { error: String(e) }));
    await temporal?.stop();
    await mongo?.stop();
    await demoCarrier?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (!externalTemporal) {
      if (await isPortOpen('127.0.0.1', temporalPort))
        throw new Error(`port ${temporalPort} is in use; stop what runs there or set SORA_TEMPORAL_PORT`);
      log('starting Temporal dev server', { port: temporalPort, ui: uiPort, db: paths.temporalDb });
      temporal = await startTemporalDevServer({ port: temporalPort, uiPort, dbFile: paths.temporalDb, logDir: paths.logs });
      process.env.TEMPORAL_ADDRESS = temporal.address;
    }
    if (!process.env.MONGODB_URI && (await isPortOpen('127.0.0.1', mongoPort)))
      throw new Error(`port ${mongoPort} is in use; set SORA_MONGO_PORT or MONGODB_URI`);
    mongo = await startDefaultMongo(mongoPort, paths.logs);
    log('MongoDB-wire server ready', { kind: mongo.kind, uri: mongo.uri.replace(/\/\/[^@]*@/, '//***@') });

    if (!process.env.SORA_17TRACK_API_KEY) {
      // No tracking aggregator configured: the demo parcel is tracked through a local stand-in that
      // speaks the 17TRACK API (scripts/demo/demo-carrier.ts). Real keys replace it.
      demoCarrier = await startDemoCarrier();
      process.env.SORA_17TRACK_API_KEY = 'demo';
      process.env.SORA_17TRACK_BASE_URL = demoCarrier.url;
      log('demo carrier stand-in (17TRACK API shape) for order 1234', { url: demoCarrier.url });
    }
    app = await startApp({ mongoUri: mongo.uri, adapters });
    await seedDemoShop(DEMO_SHOP_ID, { log: (m) => log(m) });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      [
        '',
        `sora-cs is up (${secs} s)`,
        `  channels     ${adapters.map((a) => a.id).join(', ')} on ${app.gateway.url}`,
        ...(adapters.some((a) => a.id === 'webchat') ? [`  web chat     ${app.gateway.url}/chat?shop=${DEMO_SHOP_ID}`] : []),
        temporal?.uiUrl
          ? `  Temporal UI  ${temporal.uiUrl}/namespaces/default/workflows`
          : `  Temporal     ${process.env.TEMPORAL_ADDRESS}`,
        `  MongoDB      ${mongo.kind}`,
        `  logs         ${paths.logs}`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (e) {
    process.stderr.write(`sora: ${e instanceof Error ? e.message : String(e)}\n`);
    await stopAll(1);
  }
}

void main();
