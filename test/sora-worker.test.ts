/**
 * `sora worker` (scripts/cli/worker.ts): a process with no gateway that serves conversations. Here
 * the app in this process runs the gateway only (no worker), so a web chat buyer is answered only if
 * the child process does the work: the reply is recorded with the child's identity as `deliveredBy`,
 * and the child built the demo shop's FAQ index before it polled (warm-up). SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../infra/config/index.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { eventually, testSecrets, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';

const TASK_QUEUE = `sora-worker-cli-${randomUUID().slice(0, 8)}`;
const CLI = fileURLToPath(new URL('../scripts/cli.ts', import.meta.url));

describe('sora worker: a conversation worker process without a gateway', () => {
  let app: App;
  let child: ChildProcess;
  const output: string[] = [];

  beforeAll(async () => {
    const mongoUri = await useFreshDatabase('sora_worker_cli');
    await seedDemoShop();
    const secrets = testSecrets();
    app = await startApp({
      secrets,
      config: loadConfig({ SORA_TASK_QUEUE: TASK_QUEUE, SORA_LOG_LEVEL: 'WARN' }),
      mongoUri,
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      adapters: [new WebchatAdapter({ secrets, pollMs: 100 })],
    });
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker'], {
      env: {
        ...process.env,
        MONGODB_URI: mongoUri,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        SORA_TASK_QUEUE: TASK_QUEUE,
        SORA_MASTER_KEY: createHash('sha256').update('sora-cs test master key').digest('hex'),
        SORA_LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    await eventually(() => output.join('').includes('serving conversations'), 120_000, 'the worker to start');
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await app?.stop();
    await disconnectMongo();
  });

  it('warms the shops before polling, answers the buyer, and stops on SIGTERM', async () => {
    const log = output.join('');
    expect(log).toMatch(/FAQ indexes warm.*shops=1 entries=\d+/);
    expect(log.indexOf('FAQ indexes warm')).toBeLessThan(log.indexOf('serving conversations'));

    const s = await webchatSession(app.gateway.url);
    const res = await webchatPost(app.gateway.url, s, { messageId: 'q1', text: 'How long does shipping take?' });
    expect(res.status).toBe(202);
    const reply = await eventually(
      () => MessageModel.findOne({ shopId: 'demo', buyerId: s.buyerId, direction: 'out', status: 'sent' }).lean(),
      60_000,
      'the reply',
    );
    expect(reply.deliveredBy).toMatch(new RegExp(`^${child.pid}@`));
    expect(reply.text.length).toBeGreaterThan(10);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 120_000);
});
