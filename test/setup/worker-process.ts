/**
 * The second worker process of test/horizontal-workers.test.ts, run with `node --import tsx` and an
 * IPC channel. It is the process holding shop demo's WhatsApp session (Baileys played by the socket
 * double, linked at once): the app with the WhatsApp adapter, no shared-queue worker at first, the
 * send worker on its own task queue. The test drives it with messages:
 *
 *   → { type: 'receive', buyer, id, text }   the buyer sends a WhatsApp message   ← { type: 'received', id, outcome }
 *   → { type: 'startWorker' }                 also poll the shared task queue        ← { type: 'workerStarted' }
 *   → { type: 'sent' }                        what the socket double sent            ← { type: 'sent', sent: [{ jid, id, text }] }
 *   → { type: 'stop' }                        stop the app and exit
 *
 * and first reports `{ type: 'ready', identity, processQueue }`.
 * Environment: SORA_TEST_MONGO_URI, SORA_TEST_TEMPORAL_ADDRESS, SORA_TASK_QUEUE.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { WhatsappAdapter } from '../../bots/whatsapp/adapter.js';
import type { InboundOutcome } from '../../bots/whatsapp/session.js';
import { loadConfig } from '../../infra/config/index.js';
import { processIdentity } from '../../infra/process-identity.js';
import { startApp } from '../../scripts/app.js';
import { createWorker } from '../../scripts/worker.js';
import { SocketDouble, textMessage } from '../kit/whatsapp-socket-double.js';
import { testSecrets } from './helpers.js';

type Command = { type: 'receive'; buyer: string; id: string; text: string } | { type: 'startWorker' } | { type: 'sent' } | { type: 'stop' };

const reply = (m: Record<string, unknown>) => process.send!(m);
const mongoUri = process.env.SORA_TEST_MONGO_URI!;
const address = process.env.SORA_TEST_TEMPORAL_ADDRESS!;
const config = loadConfig({ SORA_TASK_QUEUE: process.env.SORA_TASK_QUEUE, SORA_LOG_LEVEL: 'WARN' });

const sockets: SocketDouble[] = [];
const secrets = testSecrets(); // the same test key as the parent process
const adapter = new WhatsappAdapter({
  secrets,
  shops: ['demo'],
  qrTerminal: false,
  baileysLogLevel: 'silent',
  typing: false,
  makeSocket: (o) => {
    const s = new SocketDouble(o, '15550002222');
    sockets.push(s);
    setImmediate(() => s.open()); // a linked device
    return s;
  },
});
const app = await startApp({
  secrets,
  config,
  mongoUri,
  temporal: { address, namespace: 'default' },
  worker: false,
  sendWorker: true,
  gatewayPort: 0,
  adapters: [adapter],
  relayIntervalMs: 600_000,
});
while (adapter.status()[0]?.state !== 'open') await new Promise((r) => setTimeout(r, 50));

let worker: { worker: Worker; run: Promise<void>; connection: NativeConnection } | undefined;
async function stop(): Promise<void> {
  if (worker?.worker.getState() === 'RUNNING') worker.worker.shutdown();
  await worker?.run.catch(() => undefined);
  await worker?.connection.close();
  await app.stop();
  process.exit(0);
}

process.on('disconnect', () => void stop()); // the test process went away
process.on('message', (m: Command) => {
  void (async () => {
    if (m.type === 'receive') {
      const outcome = new Promise<InboundOutcome>((resolve) => {
        const on = (o: InboundOutcome) => {
          if (o.externalId !== m.id) return;
          adapter.events.off('inbound', on);
          resolve(o);
        };
        adapter.events.on('inbound', on);
      });
      sockets.at(-1)!.receive([textMessage(m.buyer, m.id, m.text)]);
      reply({ type: 'received', id: m.id, outcome: (await outcome).outcome });
    } else if (m.type === 'startWorker') {
      const connection = await NativeConnection.connect({ address });
      const created = await createWorker({
        registry: app.registry,
        config,
        secrets,
        connection,
        namespace: 'default',
        taskQueue: config.temporal.taskQueue,
      });
      worker = { worker: created.worker, run: created.worker.run(), connection };
      reply({ type: 'workerStarted' });
    } else if (m.type === 'sent') {
      reply({ type: 'sent', sent: sockets.flatMap((s) => s.sent.map(({ jid, id, text }) => ({ jid, id, text }))) });
    } else if (m.type === 'stop') {
      await stop();
    }
  })().catch((e: unknown) => reply({ type: 'error', error: String(e) }));
});

reply({ type: 'ready', identity: processIdentity(), processQueue: app.processQueue });
