/**
 * The stack under load. By default the bench starts its own, as `npm start` does
 * (scripts/start.ts as a child process) in a temporary SORA_HOME on free ports, with the installed
 * binaries and models linked from the project's SORA_HOME (nothing downloads), the WhatsApp Cloud
 * channel pointed at the bench's Graph stand-in, rate limits raised for one client address, and an
 * operator token of its own (SORA_OPERATOR_TOKEN). MONGODB_URI / TEMPORAL_ADDRESS pass through.
 * Or it attaches to a running stack (--url, --pids).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentWith, projectRoot, type Config, type TemporalTarget } from '../../infra/config/index.js';
import { soraHome } from '../../infra/paths.js';
import { readPidFiles } from '../../scripts/stack/pid-file.js';
import { freePort } from '../../scripts/stack/process.js';
import { startGraphSink } from './graph-sink.js';
import type { Target } from './buyers.js';

export interface Stack {
  target: Target;
  /** Process ids by role: app, temporal, mongo (those the bench can see). */
  pids: Record<string, number>;
  operatorToken?: string;
  mongoUri?: string;
  temporal: TemporalTarget;
  /** What runs where, for the report. */
  description: string;
  stop(): Promise<void>;
}

const PHONE_NUMBER_ID = '106540352242922';
/** Raised for the bench: every buyer comes from 127.0.0.1. */
const UNLIMITED = '1000000';

function linkInstalled(home: string, from: string): void {
  for (const dir of ['py', 'models', 'cache']) {
    const src = path.join(from, dir);
    if (existsSync(src)) symlinkSync(realpathSync(src), path.join(home, dir));
  }
  mkdirSync(path.join(home, 'mongo'), { recursive: true });
  for (const dir of ['lib', 'classes']) {
    const src = path.join(from, 'mongo', dir);
    if (existsSync(src)) symlinkSync(realpathSync(src), path.join(home, 'mongo', dir));
  }
}

export async function startOwnStack(config: Config, o: { log: (m: string) => void; keep?: boolean }): Promise<Stack> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sora-bench-load-'));
  linkInstalled(home, soraHome);
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort()); // distinct: a port just released may be handed out again
  const [gatewayPort, temporalPort, uiPort, mongoPort] = [...ports] as [number, number, number, number];
  const sink = await startGraphSink();
  const operatorToken = `bench-${randomBytes(24).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  const env = environmentWith({
    SORA_HOME: home,
    SORA_GATEWAY_PORT: String(gatewayPort),
    SORA_TEMPORAL_PORT: String(temporalPort),
    SORA_TEMPORAL_UI_PORT: String(uiPort),
    SORA_MONGO_PORT: String(mongoPort),
    SORA_OPERATOR_TOKEN: operatorToken,
    SORA_LOG_LEVEL: 'WARN',
    SORA_CHANNELS: 'webchat,whatsapp-cloud',
    SORA_WHATSAPP_CLOUD_APP_SECRET: appSecret,
    SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: 'bench',
    SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: 'bench',
    SORA_WHATSAPP_CLOUD_SHOPS: `${PHONE_NUMBER_ID}:demo`,
    SORA_WHATSAPP_CLOUD_GRAPH_URL: sink.url,
    SORA_WEBCHAT_RATE_PER_MIN: UNLIMITED,
    SORA_WEBCHAT_RATE_PER_MIN_PER_ADDRESS: UNLIMITED,
    SORA_WEBCHAT_SESSIONS_PER_MIN: UNLIMITED,
    SORA_WEBCHAT_STREAMS_MAX: UNLIMITED,
    SORA_WEBHOOK_RATE_LIMIT: UNLIMITED,
    SORA_OPERATOR_RATE_LIMIT: UNLIMITED,
    SORA_KB_MAX_ROWS: '20000',
  });
  const logFile = path.join(home, 'launcher.log');
  const out = createWriteStream(logFile);
  o.log(`starting the stack (SORA_HOME ${home}, log ${logFile}) …`);
  const t0 = Date.now();
  // `node --import tsx`: the launcher itself is this child (no tsx wrapper process in between), so its pid is the app's.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'start.ts')], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(out);
  const up = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => {
      out.write(c);
      seen = (seen + c.toString('utf8')).slice(-4000);
      if (seen.includes('sora-cs is up')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(`the stack exited (${code ?? signal}) before it was up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`),
      ),
    );
  });
  const timeout = setTimeout(() => child.kill('SIGTERM'), 10 * 60_000);
  try {
    await up;
  } finally {
    clearTimeout(timeout);
  }
  o.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let died = false;
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    died = true;
    o.log(
      `the stack exited during the run (${code ?? signal}); its SORA_HOME is kept: ${logFile}\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
    );
  });
  const pids: Record<string, number> = { app: child.pid! };
  for (const r of readPidFiles(path.join(home, 'run'))) pids[r.name === 'temporal' ? 'temporal' : 'mongo'] = r.child.pid;
  let stopped: Promise<void> | undefined;
  const temporal: TemporalTarget = config.temporal.external
    ? config.temporal
    : { address: `127.0.0.1:${temporalPort}`, namespace: 'default' };
  const mongoUri = config.mongo.uri ?? `mongodb://127.0.0.1:${mongoPort}/sora`;
  return {
    target: { url: `http://127.0.0.1:${gatewayPort}`, shopId: 'demo', whatsapp: { appSecret, phoneNumberId: PHONE_NUMBER_ID, sink } },
    pids,
    operatorToken,
    mongoUri,
    temporal,
    description: `own stack (npm start in a temporary SORA_HOME): Temporal ${config.temporal.external ? config.temporal.address : 'dev server'}, MongoDB ${config.mongo.uri ? 'MONGODB_URI' : pids.mongo ? 'embedded' : '?'}`,
    stop() {
      stopping = true;
      stopped ??= (async () => {
        const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(kill);
        out.end();
        await sink.close();
        if (!o.keep && !died) rmSync(home, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

export interface AttachOptions {
  url: string;
  pids: Record<string, number>;
  operatorToken?: string;
  mongoUri?: string;
  /** The attached stack's WhatsApp Cloud app secret, business number and the port its Graph URL points at. */
  whatsapp?: { appSecret: string; phoneNumberId: string; graphPort: number };
}

/** A running stack (e.g. an older checkout for "before" figures). */
export async function attachStack(config: Config, a: AttachOptions): Promise<Stack> {
  const sink = a.whatsapp ? await startGraphSink(a.whatsapp.graphPort) : undefined;
  const temporal: TemporalTarget = config.temporal.external
    ? config.temporal
    : { address: `127.0.0.1:${config.stack.temporalPort}`, namespace: config.temporal.namespace };
  return {
    target: {
      url: a.url.replace(/\/+$/, ''),
      shopId: 'demo',
      ...(a.whatsapp && sink ? { whatsapp: { appSecret: a.whatsapp.appSecret, phoneNumberId: a.whatsapp.phoneNumberId, sink } } : {}),
    },
    pids: a.pids,
    operatorToken: a.operatorToken ?? config.gateway.operatorToken,
    mongoUri: a.mongoUri ?? config.mongo.uri ?? `mongodb://127.0.0.1:${config.stack.mongoPort}/sora`,
    temporal,
    description: `running stack at ${a.url}`,
    async stop() {
      await sink?.close();
    },
  };
}
