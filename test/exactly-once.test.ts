/**
 * Exactly once, on the Temporal dev server with the real intake, worker, activities and the
 * MongoDB-wire server: identical concurrent posts are accepted once, a flood with re-sent signals
 * (a signalWithStart that timed out but had reached Temporal, re-sent by the relay) is answered once
 * per message, and a buyer's messages are answered in order across a Temporal outage.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { Intake, TemporalUnavailableError } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { WhatsappCloudAdapter } from '../bots/whatsapp-cloud/adapter.js';
import { loadConfig } from '../infra/config/index.js';
import { startApp, type App } from '../scripts/app.js';
import { startFakeGraph, type FakeGraph } from './fakes/whatsapp-graph.js';
import { BuyerModel } from '../models/buyer.js';
import { ConversationModel } from '../models/conversation.js';
import type { SendResult } from '../activities/messaging/send.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { freePort } from '../scripts/stack/process.js';
import { workflowBundle } from '../scripts/worker.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import { botReply, demoWebchat, eventually, kbEntryAnswering, signalsInHistory, sleep, useFreshDatabase } from './setup/helpers.js';

const taskQueue = `exactly-once-${randomUUID().slice(0, 8)}`;
const config: ConversationConfig = {
  ...conversationConfig(),
  // No nudge or idle close while a test runs: every bot message counted is a reply.
  silenceNudgeMs: 3_600_000,
  idleCloseMs: 3_600_000,
  searchAttributes: false,
};

let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let intake: Intake;

beforeAll(async () => {
  await useFreshDatabase('sora_exactly_once');
  await seedDemoShop();
  const address = inject('temporalAddress');
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address });
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ registry: new ChannelRegistry().register(new WebchatAdapter()) }),
  });
  running = worker.run();
  intake = new Intake({ client, connection, conversationConfig: config, signalDeadlineMs: 10_000, taskQueue, log: () => {} });
  // Warm up: the first message of a worker loads the embedding model and builds the shop's index.
  await intake.accept(msg('warm-up', 'How long does shipping take?'));
  await settledAt('warm-up', 1, 180_000);
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await disconnectMongo();
});

const { msg, wfId } = demoWebchat('eo');
const snap = (buyerId: string) => client.workflow.getHandle(wfId(buyerId)).query(contract.snapshot);
const botReplies = (buyerId: string) =>
  MessageModel.find({ workflowId: wfId(buyerId), direction: 'out', author: 'bot' })
    .sort({ _id: 1 })
    .lean();
/** Until the conversation has handled `turns` buyer messages, is idle and its replies are recorded; then a little longer, for any extra. */
async function settledAt(buyerId: string, turns: number, timeoutMs = 60_000) {
  await eventually(
    async () => {
      const s = await snap(buyerId);
      return s.turns >= turns && s.pendingInbox === 0 && !s.busy && (await botReplies(buyerId)).length >= turns;
    },
    timeoutMs,
    `${buyerId} at ${turns} turns`,
  );
  await sleep(1500);
  return { snapshot: await snap(buyerId), replies: await botReplies(buyerId) };
}

describe('exactly once', () => {
  it('20 concurrent identical posts: one accepted, 19 duplicates, one signal, one reply, counted once', async () => {
    const buyerId = `twenty-${randomUUID().slice(0, 6)}`;
    const m = msg(buyerId, 'How long does shipping take?', `same-${buyerId}`);
    const results = await Promise.all(Array.from({ length: 20 }, () => intake.accept({ ...m })));
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(19);
    const { snapshot, replies } = await settledAt(buyerId, 1);
    expect(snapshot.turns).toBe(1);
    expect(replies).toHaveLength(1);
    expect(await signalsInHistory(client, wfId(buyerId), contract.buyerMessage)).toHaveLength(1);
    expect((await BuyerModel.findOne({ shopId: 'demo', channel: 'webchat', buyerId }).lean())?.messages).toBe(1);
    expect(await MessageModel.countDocuments({ workflowId: wfId(buyerId), direction: 'in' })).toBe(1);
  }, 90_000);

  it('a flood of 1000 messages with signals re-sent all along: the workflow takes each message exactly once', async () => {
    const buyerId = `flood-${randomUUID().slice(0, 6)}`;
    const N = 1000;
    const questions = ['How long does shipping take?', 'Which payment methods do you accept?'];
    const wf = wfId(buyerId);
    const handle = client.workflow.getHandle(wf);
    // The relay's view of a signal that timed out but had reached Temporal: still `signalled: false`.
    const loseAcks = async (limit?: number) => {
      const q = MessageModel.find({ workflowId: wf, direction: 'in', signalled: true }, { _id: 1 }).sort({ _id: -1 });
      const ids = (await (limit ? q.limit(limit) : q).lean()).map((r) => r._id);
      await MessageModel.updateMany({ _id: { $in: ids } }, { $set: { signalled: false } });
    };
    let flooding = true;
    const chaos = (async () => {
      while (flooding) {
        await loseAcks(25); // the latest acks lost while messages are in flight: the relay re-sends them
        await intake.relayOnce(0);
        await sleep(200);
      }
    })();
    let next = 0;
    const statuses: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = next++; i < N; i = next++)
          statuses.push((await intake.accept(msg(buyerId, questions[i % 2]!, `${buyerId}-${i}`))).status);
      }),
    );
    flooding = false;
    await chaos;
    // Every message re-sent once more after the flood (the relay sends at most 500 per round).
    await loseAcks();
    while ((await intake.relayOnce(0)) > 0);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(N);
    expect(await MessageModel.countDocuments({ workflowId: wf, direction: 'in', signalled: false })).toBe(0);
    // What the workflow took in: the messages it answered or is answering (turns) plus those queued.
    // Answering all 1000 takes minutes on a loaded CI machine, and a busy conversation keeps its
    // workflow task open while it answers (local activities, patch 'local-turn'): signals are taken
    // in at each task boundary (at least every few seconds). The dedupe decision is made when a signal
    // arrives, so once all N are in, a duplicate would show as more than N.
    const takenIn = async () => {
      const s = await handle.query(contract.snapshot);
      return s.turns + s.pendingInbox;
    };
    await eventually(async () => (await takenIn()) >= N, 90_000, 'all messages taken in');
    expect(await takenIn()).toBe(N);
    await sleep(2000);
    expect(await takenIn()).toBe(N);
    expect((await BuyerModel.findOne({ shopId: 'demo', channel: 'webchat', buyerId }).lean())?.messages).toBe(N);
    // Numbered 1..N, once each.
    const seqs = (await MessageModel.find({ workflowId: wf, direction: 'in' }, { inSeq: 1 }).lean())
      .map((r) => r.inSeq)
      .sort((x, y) => x! - y!);
    expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    // The answers so far: one per message, in order (each reply answers the question of its turn).
    const { turns } = await handle.query(contract.snapshot);
    const replies = await botReplies(buyerId);
    expect(replies.length).toBeGreaterThanOrEqual(turns - 1);
    expect(replies.length).toBeLessThanOrEqual(turns);
    await handle.terminate('test done');
  }, 240_000);

  it('a message refused with 503 during a Temporal outage is answered before the next one', async () => {
    const buyerId = `order-${randomUUID().slice(0, 6)}`;
    const downConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const down = new Intake({
      client: new Client({ connection: downConnection }),
      connection: downConnection,
      conversationConfig: config,
      signalDeadlineMs: 1000,
      taskQueue,
      log: () => {},
    });
    const first = msg(buyerId, 'How long does shipping take?');
    await expect(down.accept(first)).rejects.toBeInstanceOf(TemporalUnavailableError);
    expect((await MessageModel.findOne({ externalId: first.externalId }).lean())?.signalled).toBe(false);
    // Temporal is back: the buyer's next message.
    const second = msg(buyerId, 'Which payment methods do you accept?');
    expect((await intake.accept(second)).status).toBe('accepted');
    await intake.relayOnce(0);
    const { replies } = await settledAt(buyerId, 2);
    const signalled = await signalsInHistory(client, wfId(buyerId), contract.buyerMessage);
    expect(signalled.map((s) => s.externalId)).toEqual([first.externalId, second.externalId]);
    expect(replies).toHaveLength(2);
    expect((await kbEntryAnswering(replies[0]!.text))?.intent).toBe('shipping_time_cost');
    expect((await kbEntryAnswering(replies[1]!.text))?.intent).toBe('payment');
    await downConnection.close().catch(() => undefined);
  }, 90_000);

  it('the workflow handles buyer messages in seq order and ignores a seq it has passed', async () => {
    const buyerId = `seq-${randomUUID().slice(0, 6)}`;
    const start = (m: contract.BuyerMessageSignal) =>
      client.workflow.signalWithStart(contract.conversationWorkflowType, {
        workflowId: wfId(buyerId),
        taskQueue,
        args: [{ shopId: 'demo', channel: 'webchat', buyerId, config }],
        signal: contract.buyerMessage,
        signalArgs: [m],
      });
    const one = { ...msg(buyerId, 'How long does shipping take?'), seq: 1 };
    const two = { ...msg(buyerId, 'Which payment methods do you accept?'), seq: 2 };
    await start(two); // arrives first
    await sleep(1500);
    expect((await snap(buyerId)).turns).toBe(0); // waits for 1
    await start(one);
    await start(one); // re-sent
    await start(two); // re-sent
    const { snapshot, replies } = await settledAt(buyerId, 2);
    expect(snapshot.turns).toBe(2);
    expect(replies).toHaveLength(2);
    expect((await kbEntryAnswering(replies[0]!.text))?.intent).toBe('shipping_time_cost');
    expect((await kbEntryAnswering(replies[1]!.text))?.intent).toBe('payment');
  }, 90_000);
  it('a first task whose completion was lost after its reply went out: the retried task answers the next message', async () => {
    // A worker killed after sending the reply to message 1 and recording the conversation (inSeq 1),
    // before Temporal recorded the task: the fault suite's kill -9 of the app hit this. The retried
    // task reads inSeq 1, skips message 1 (answered) and answers message 2 with the run's first send.
    // With a counter-only key that send found the lost attempt's reply "already sent": message 2 went
    // unanswered. Here the lost attempt's writes are made by the same activities, with no worker
    // polling the run's task queue, before a worker comes.
    const buyerId = `lost-${randomUUID().slice(0, 6)}`;
    const lostQueue = `${taskQueue}-lost-${buyerId}`;
    const start = (m: contract.BuyerMessageSignal) =>
      client.workflow.signalWithStart(contract.conversationWorkflowType, {
        workflowId: wfId(buyerId),
        taskQueue: lostQueue,
        args: [{ shopId: 'demo', channel: 'webchat', buyerId, config }],
        signal: contract.buyerMessage,
        signalArgs: [m],
      });
    const one = { ...msg(buyerId, 'How long does shipping take?'), seq: 1 };
    const two = { ...msg(buyerId, 'Which payment methods do you accept?'), seq: 2 };
    const runId = (await start(one)).signaledRunId;
    // What the lost attempt left: its reply to message 1, sent under the run's first send key …
    const activities = createActivities({ registry: new ChannelRegistry().register(new WebchatAdapter()) });
    const ref = { channel: 'webchat', shopId: 'demo', buyerId, workflowId: wfId(buyerId) };
    const lostReply = botReply('Orders ship in 1–2 business days.');
    const sent: SendResult = await new MockActivityEnvironment().run(activities.sendToBuyer, {
      ref,
      key: `${wfId(buyerId)}:${runId}:0`,
      message: lostReply,
    });
    expect(sent.alreadySent).toBe(false);
    // … and the conversation record saying message 1 was handled.
    await ConversationModel.create({ ...ref, runId, status: 'bot', openedAt: new Date(), turns: 1, inSeq: 1 });
    await start(two);

    const lostWorker = await Worker.create({
      connection: nativeConnection,
      taskQueue: lostQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    const lostRunning = lostWorker.run();
    try {
      const replies = await eventually(
        async () => {
          const r = await botReplies(buyerId);
          return r.length >= 2 && r.every((m) => m.status === 'sent') ? r : null;
        },
        60_000,
        `${buyerId}: a reply to message 2`,
      );
      await sleep(1500);
      expect(await botReplies(buyerId)).toHaveLength(2); // message 1 is not answered twice
      expect((await kbEntryAnswering(replies[1]!.text))?.intent).toBe('payment');
      expect(replies[1]!.externalId).toBe(`${wfId(buyerId)}:${runId}:0:re:${two.externalId}`);
      expect((await snap(buyerId)).turns).toBe(1); // the retried task handled message 2 only
      // The history (patch marker and all) replays on the bundled code.
      const h = client.workflow.getHandle(wfId(buyerId));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await h.fetchHistory(), h.workflowId);
    } finally {
      lostWorker.shutdown();
      await lostRunning;
    }
  }, 120_000);
});

describe('exactly once over the WhatsApp Cloud webhook', () => {
  const APP_SECRET = 'eo-app-secret';
  const ACCESS_TOKEN = 'EAAG-eo-token';
  const PHONE = '106540352242922';
  let app: App;
  let graph: FakeGraph;

  beforeAll(async () => {
    graph = await startFakeGraph(ACCESS_TOKEN);
    app = await startApp({
      config: loadConfig({ SORA_TASK_QUEUE: `${taskQueue}-wa`, SORA_SEARCH_ATTRIBUTES: 'off', SORA_LOG_LEVEL: 'WARN' }),
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new WhatsappCloudAdapter({
          appSecret: APP_SECRET,
          verifyToken: 'eo-verify',
          accessToken: ACCESS_TOKEN,
          shops: { [PHONE]: 'demo' },
          graphUrl: graph.url,
          graphVersion: 'v21.0',
        }),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await graph?.close();
  });

  it('20 concurrent identical webhook deliveries: recorded, counted and signalled once, one reply', async () => {
    const buyer = `1650555${Math.floor(Math.random() * 1e4)
      .toString()
      .padStart(4, '0')}`;
    const body = readFileSync(new URL('./fixtures/whatsapp-cloud/text-message.json', import.meta.url), 'utf8')
      .replaceAll('16505551234', buyer)
      .replace('Does it come in another color?', 'How long does shipping take?')
      .replace(/"id": "wamid[^"]*"/, `"id": "wamid.eo-${buyer}"`);
    const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body, 'utf8').digest('hex')}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${app.gateway.url}/webhooks/whatsapp-cloud`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body,
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const results = (await Promise.all(responses.map((r) => r.json()))) as Array<{ accepted: number; duplicates: number }>;
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(19);
    const wf = `conv:demo:whatsapp-cloud:${buyer}`;
    await eventually(() => graph.textsTo(buyer).length === 1, 60_000, 'the reply on WhatsApp');
    await sleep(1500);
    expect(graph.textsTo(buyer)).toHaveLength(1);
    expect(await signalsInHistory(app.client, wf, contract.buyerMessage)).toHaveLength(1);
    expect((await BuyerModel.findOne({ shopId: 'demo', channel: 'whatsapp-cloud', buyerId: buyer }).lean())?.messages).toBe(1);
  }, 120_000);
});
