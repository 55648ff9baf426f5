/**
 * A MongoDB outage does not fail a conversation: activities retry infrastructure errors without an
 * attempt cap, the operators are alerted once an activity has been retrying for long, and the buyer
 * is answered once the database is back. MongoDB is reached through a TCP proxy the test can cut;
 * Temporal is the dev server, the worker and activities are the real ones.
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { disconnectMongo, ensureIndexes } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { createWorker } from '../scripts/worker.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import { demoWebchat, eventually, localActivityMarkers } from './setup/helpers.js';

/** A TCP proxy to MongoDB that can be cut (every connection dropped, new ones refused) and restored. */
class CuttableProxy {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.cut) return void client.destroy();
      const upstream = net.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }
  down(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }
  up(): void {
    this.cut = false;
  }
}

const taskQueue = `outage-${randomUUID().slice(0, 8)}`;
const config: ConversationConfig = { ...conversationConfig(), silenceNudgeMs: 3_600_000, idleCloseMs: 3_600_000, searchAttributes: false };
const alerts: Array<Record<string, unknown>> = [];
let alertServer: http.Server;
let proxy: CuttableProxy;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let intake: Intake;

beforeAll(async () => {
  const target = new URL(inject('mongoUri'));
  proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
  const port = await proxy.listen();
  // Short server selection and no command buffering: an operation during the outage fails in about a second.
  await mongoose.connect(`mongodb://127.0.0.1:${port}/sora_outage`, { serverSelectionTimeoutMS: 1000, bufferCommands: false });
  await mongoose.connection.db!.dropDatabase();
  await ensureIndexes();
  await seedDemoShop();
  alertServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      alerts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  alertServer.listen(0, '127.0.0.1');
  await once(alertServer, 'listening');
  const address = inject('temporalAddress');
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address });
  ({ worker } = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    registry: new ChannelRegistry().register(new WebchatAdapter()),
    alertWebhookUrl: `http://127.0.0.1:${(alertServer.address() as AddressInfo).port}/alerts`,
    retryAlertAfterAttempts: 3,
  }));
  running = worker.run();
  intake = new Intake({ client, connection, conversationConfig: config, signalDeadlineMs: 10_000, taskQueue, log: () => {} });
}, 120_000);

afterAll(async () => {
  proxy?.up();
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await disconnectMongo();
  alertServer?.close();
  proxy?.server.close();
});

const { msg, wfId } = demoWebchat('outage');
const botReplies = (buyerId: string) => MessageModel.countDocuments({ workflowId: wfId(buyerId), direction: 'out', author: 'bot' });

describe('a MongoDB outage', () => {
  it('keeps the conversation running, alerts the operators, and the buyer is answered after recovery', async () => {
    const buyerId = `db-${randomUUID().slice(0, 6)}`;
    await intake.accept(msg(buyerId, 'How long does shipping take?'));
    await eventually(async () => (await botReplies(buyerId)) === 1, 180_000, 'first reply'); // also loads the model

    proxy.down();
    // The buyer writes again (the intake recorded it before the outage began; here it is the signal that matters).
    await client.workflow
      .getHandle(wfId(buyerId))
      .signal(contract.buyerMessage, { ...msg(buyerId, 'Which payment methods do you accept?'), seq: 2 });
    const alert = await eventually(
      () => alerts.find((a) => a.kind === 'activity_retrying' && a.workflowId === wfId(buyerId)),
      60_000,
      'retry alert',
    );
    expect(alert).toMatchObject({ attempt: 3 });
    expect((await client.workflow.getHandle(wfId(buyerId)).describe()).status.name).toBe('RUNNING');
    proxy.up();

    await eventually(async () => (await botReplies(buyerId)) === 2, 90_000, 'the reply after recovery');
    const handle = client.workflow.getHandle(wfId(buyerId));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // Activities have no attempt cap (0 = unlimited), so a longer outage is waited out too. The per-message steps are
    // local activities (patch 'local-turn'), in the history once their workflow task completes (just after the reply).
    const perMessage = (evs: Parameters<typeof localActivityMarkers>[0]) =>
      localActivityMarkers(evs).filter((s) => s.type === 'understand' || s.type === 'sendToBuyer');
    const events = await eventually(
      async () => {
        const evs = (await handle.fetchHistory()).events ?? [];
        return perMessage(evs).length >= 4 ? evs : null;
      },
      30_000,
      'both turns in the history',
    );
    const scheduled = events.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a ? [{ type: a.activityType?.name, maximumAttempts: a.retryPolicy?.maximumAttempts ?? 0 }] : [];
    });
    // Both messages understood and answered, the second after retrying through the outage (same retry policy, no cap).
    expect(Math.max(...localActivityMarkers(events).map((s) => s.attempt))).toBeGreaterThanOrEqual(3);
    for (const s of scheduled) if (s.type !== 'trackParcel') expect(s).toEqual({ type: s.type, maximumAttempts: 0 });
  }, 300_000);
});
