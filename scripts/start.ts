/**
 * `npm start`: install what is missing into ./.sora, start the embedded stack on loopback
 * (Temporal dev server + Web UI, MongoDB-wire server), then worker + gateway + demo shop.
 * Ctrl-C stops everything; the next start reuses the data in ./.sora. The launcher owns the
 * servers it starts: they stop with it (even when it is killed, on Linux), a server that exits on
 * its own is restarted with backoff, and servers a killed launcher left behind are reclaimed from
 * their pid files (.sora/run) before anything starts.
 */
import { installStack, MissingPrerequisiteError } from './stack/install.js';
import { startDefaultMongo, hasMongod, type MongoServer } from './stack/mongo-server.js';
import { paths } from '../infra/paths.js';
import { isPortOpen } from './stack/process.js';
import { reclaimOrphans, StackAlreadyRunningError } from './stack/pid-file.js';
import { startTemporalDevServer, type TemporalDevServer } from './stack/temporal-server.js';
import { startExtraWorkers, type ExtraWorkers } from './stack/extra-workers.js';
import { seedDemoShop, DEMO_SHOP_ID } from './demo/demo-shop.js';
import { startDemoCarrier, type DemoCarrier } from './demo/demo-carrier.js';
import { seedDemoAgents } from './demo/demo-agents.js';
import { demoMonthLine, seedDemoMonth } from './demo/demo-month.js';
import { deskBaseUrl } from './desk-bootstrap.js';
import { startApp, type App } from './app.js';
import { log, setLogLevel } from '../infra/log.js';
import { createAdapters } from '../bots/channels.js';
import { sharedEmbedder } from '../activities/knowledge/embedder.js';
import { ConfigError, loadConfig, type Config } from '../infra/config/index.js';
import { openSecretBox, SecretsError, type SecretBox } from '../infra/secrets/index.js';

async function main(): Promise<void> {
  const t0 = Date.now();
  // The configuration first, all of it: a typo in SORA_CHANNELS, a missing token or a bad duration stops here, before anything starts.
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`sora: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  setLogLevel(config.log.level);
  // The master key next (SORA_MASTER_KEY, else $SORA_HOME/master.key, created now on first start): opened once, passed in.
  let secrets: SecretBox;
  try {
    secrets = openSecretBox(config.secrets);
    const { created } = secrets.ready();
    log(created ? 'created the master key file; back it up (README "Secrets at rest")' : 'master key loaded', {
      keyId: secrets.currentKeyId,
      from: secrets.keySource,
    });
  } catch (e) {
    if (e instanceof SecretsError) {
      process.stderr.write(`sora: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const adapters = createAdapters(config.channels, undefined, { secrets, shopify: config.shopify });
  const externalTemporal = config.temporal.external;
  const needMongoJava = !config.mongo.uri && !hasMongod();
  try {
    installStack({
      temporal: !externalTemporal,
      mongoJavaServer: needMongoJava,
      models: true,
      multilingual: config.stack.installMultilingual,
      bge: config.stack.installBge,
    });
  } catch (e) {
    if (e instanceof MissingPrerequisiteError) {
      process.stderr.write(`sora: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  const { temporalPort, temporalUiPort: uiPort, mongoPort } = config.stack;
  let temporal: TemporalDevServer | undefined;
  let mongo: MongoServer | undefined;
  let app: App | undefined;
  let demoCarrier: DemoCarrier | undefined;
  let extraWorkers: ExtraWorkers | undefined;
  let stopping = false;
  // The first start's operator token and desk sign-in links go after the banner, where it is seen (or out before a failure: it is shown once only).
  let operatorNotice = '';
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping …');
    await extraWorkers?.stop();
    await app?.stop().catch((e) => log('app stop failed', { error: String(e) }));
    await temporal?.stop();
    await mongo?.stop();
    await demoCarrier?.stop();
    log('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // `npm start` runs this under tsx's own process; if that one is killed, this one is re-parented: stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      log('the process that started the launcher is gone', { was: parent });
      void stopAll(1);
    }
  }, 1000).unref();

  try {
    // Servers a killed launcher left running still hold the ports: terminate them first.
    const reclaimed = await reclaimOrphans(paths.run, log);
    if (reclaimed.length) log('reclaimed servers of a previous launcher', { names: reclaimed.map((r) => r.name) });
    if (!externalTemporal) {
      if (await isPortOpen('127.0.0.1', temporalPort))
        throw new Error(`port ${temporalPort} is in use; stop what runs there or set SORA_TEMPORAL_PORT`);
      log('starting Temporal dev server', { port: temporalPort, ui: uiPort, db: paths.temporalDb });
      temporal = await startTemporalDevServer({
        port: temporalPort,
        uiPort,
        dbFile: paths.temporalDb,
        logDir: paths.logs,
        supervise: { runDir: paths.run },
        sqlite: config.stack.temporalSqlite,
      });
      // The dev server's address is passed on in the configuration (not through the environment); plain TCP, no key.
      const { namespace, taskQueue, signalDeadlineMs } = config.temporal;
      config = { ...config, temporal: { address: temporal.address, namespace, taskQueue, signalDeadlineMs, external: false } };
    }
    if (!config.mongo.uri && (await isPortOpen('127.0.0.1', mongoPort)))
      throw new Error(`port ${mongoPort} is in use; set SORA_MONGO_PORT or MONGODB_URI`);
    mongo = await startDefaultMongo(mongoPort, paths.logs, config.mongo.uri, { runDir: paths.run });
    log('MongoDB-wire server ready', { kind: mongo.kind, uri: mongo.uri.replace(/\/\/[^@]*@/, '//***@') });

    if (!config.carriers.credentials.seventeenTrack) {
      // No tracking aggregator configured: the demo parcel is tracked through a local stand-in that
      // speaks the 17TRACK API (scripts/demo/demo-carrier.ts). Real keys replace it.
      demoCarrier = await startDemoCarrier();
      const credentials = { ...config.carriers.credentials, seventeenTrack: { apiKey: 'demo', baseUrl: demoCarrier.url } };
      config = { ...config, carriers: { ...config.carriers, credentials } };
      log('demo carrier stand-in (17TRACK API shape) for order 1234', { url: demoCarrier.url });
    }
    app = await startApp({
      config,
      mongoUri: mongo.uri,
      adapters,
      secrets,
      printOperatorToken: (t) => (operatorNotice += t),
      printDeskSetup: (t) => (operatorNotice += t),
    });
    await seedDemoShop(DEMO_SHOP_ID, { log: (m) => log(m), embedder: sharedEmbedder(config.embedding) });
    operatorNotice += await seedDemoAgents(DEMO_SHOP_ID, deskBaseUrl(config.gateway, app.gateway.url));
    // The demo shop was seeded after the app's own warm-up (a first start): build its index before saying "up".
    await app.warm([DEMO_SHOP_ID]);
    // A month of synthetic conversations (marked demo) so the reports are not empty; once, and never fatal.
    if (config.stack.demoMonth)
      await seedDemoMonth(DEMO_SHOP_ID, { embedder: sharedEmbedder(config.embedding), log: (m) => log(m) }).then(
        (r) => log(demoMonthLine(r)),
        (e) => log('demo month not seeded', { error: e instanceof Error ? e.message : String(e) }),
      );
    if (config.stack.workers > 1)
      extraWorkers = await startExtraWorkers(config.stack.workers - 1, {
        temporalAddress: config.temporal.address,
        mongoUri: mongo.uri,
        logDir: paths.logs,
        log,
        temporalMetricsAddress: config.metrics.temporalAddress,
        workerMetricsAddress: config.metrics.workerAddress,
      });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      [
        '',
        `sora-cs is up (${secs} s)`,
        `  channels     ${adapters.map((a) => a.id).join(', ')} on ${app.gateway.url}`,
        ...(adapters.some((a) => a.id === 'webchat') ? [`  web chat     ${app.gateway.url}/chat?shop=${DEMO_SHOP_ID}`] : []),
        `  desk         ${deskBaseUrl(config.gateway, app.gateway.url)}/desk`,
        temporal?.uiUrl ? `  Temporal UI  ${temporal.uiUrl}/namespaces/default/workflows` : `  Temporal     ${config.temporal.address}`,
        `  MongoDB      ${mongo.kind}`,
        `  logs         ${paths.logs}`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n') + operatorNotice,
    );
  } catch (e) {
    if (operatorNotice) process.stdout.write(operatorNotice);
    process.stderr.write(`sora: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof StackAlreadyRunningError) process.exit(1);
    await stopAll(1);
  }
}

void main();
