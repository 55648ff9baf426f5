/**
 * Horizontal workers (README "Scaling out workers"): two worker PROCESSES on one task queue, and a
 * WhatsApp (Baileys) socket that lives in only one of them.
 *
 *   this process   a worker on the shared queue whose registry has no WhatsApp adapter: a WhatsApp
 *                  send that ran here would fail (no adapter for channel "whatsapp")
 *   child process  test/setup/worker-process.ts: the app with the WhatsApp adapter over the socket
 *                  double, holding shop demo's session, serving sends on its own task queue; later
 *                  also a worker on the shared queue
 *
 * The first buyer message is handled by this process's worker (the only one on the shared queue);
 * then it shuts down and the child starts polling the shared queue, which handles the second. The
 * history shows workflow and activity tasks of both processes; every send ran in the child.
 *
 * Then a holder that died with its lease still live (a record written here for shop ghost): the send
 * put on its queue times out before it starts (30 s), the workflow asks again, finds no live holder
 * and sends on the shared queue, where the refusal is recorded as for any send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { conversationWorkflowId } from '../bots/channel.js';
import { ChannelRegistry } from '../bots/registry.js';
import { loadConfig } from '../infra/config/index.js';
import { processIdentity } from '../infra/process-identity.js';
import { ChannelSessionModel, channelSessionQueue } from '../models/channel-session.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { createWorker } from '../scripts/worker.js';
import * as contract from '../workflows/contract.js';
import { conversationConfig } from '../temporal.config.js';
import type { ConversationInput } from '../workflows/types.js';
import { eventually, localActivityMarkers, testSecrets, useFreshDatabase } from './setup/helpers.js';

const TASK_QUEUE = `sora-horizontal-${randomUUID().slice(0, 8)}`;
const BUYER = '15557770001@s.whatsapp.net';
const WORKFLOW_ID = conversationWorkflowId({ shopId: 'demo', channel: 'whatsapp', buyerId: BUYER });
const config = loadConfig({ SORA_TASK_QUEUE: TASK_QUEUE, SORA_LOG_LEVEL: 'WARN' });

type FromChild = { type: string } & Record<string, unknown>;

/** The child worker process and a request/response over its IPC channel. */
class ChildWorker {
  readonly output: string[] = [];
  private readonly inbox: FromChild[] = [];
  private waiting: (() => void) | undefined;
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    proc.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    proc.on('message', (m: FromChild) => {
      this.inbox.push(m);
      this.waiting?.();
    });
  }
  /** The next message of `type` (an `error` message fails). */
  async next(type: string, timeoutMs = 60_000): Promise<FromChild> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [m] = this.inbox.splice(i, 1);
        if (m!.type === 'error') throw new Error(`child: ${String(m!.error)}`);
        return m!;
      }
      if (this.proc.exitCode !== null) throw new Error(`child exited (${this.proc.exitCode}): ${this.output.join('').slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`no "${type}" from the child in ${timeoutMs} ms: ${this.output.join('').slice(-3000)}`);
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 200);
      });
    }
  }
  ask(m: Record<string, unknown>, answer: string, timeoutMs?: number): Promise<FromChild> {
    this.proc.send(m);
    return this.next(answer, timeoutMs);
  }
}

describe('horizontal workers', () => {
  let child: ChildWorker;
  let childIdentity: string;
  let childQueue: string;
  let parent: { worker: Worker; run: Promise<void>; connection: NativeConnection } | undefined;
  let client: Client;
  let clientConnection: Connection;
  const parentIdentity = processIdentity();

  beforeAll(async () => {
    const mongoUri = await useFreshDatabase('sora_horizontal_workers');
    await seedDemoShop();
    clientConnection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection: clientConnection });

    // This process: a worker on the shared queue, without the WhatsApp adapter, caching no workflow
    // runs (so once it is gone, the next workflow task goes to whichever worker polls, at once).
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const created = await createWorker({
      registry: new ChannelRegistry(),
      config,
      secrets: testSecrets(),
      connection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      maxCachedWorkflows: 0,
    });
    parent = { worker: created.worker, run: created.worker.run(), connection };

    const script = fileURLToPath(new URL('./setup/worker-process.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        SORA_TEST_MONGO_URI: mongoUri,
        SORA_TEST_TEMPORAL_ADDRESS: inject('temporalAddress'),
        SORA_TASK_QUEUE: TASK_QUEUE,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child = new ChildWorker(proc);
    const ready = await child.next('ready', 120_000);
    childIdentity = ready.identity as string;
    childQueue = ready.processQueue as string;
  });

  afterAll(async () => {
    if (child && child.proc.exitCode === null) {
      child.proc.send({ type: 'stop' });
      const exited = once(child.proc, 'exit');
      const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (parent?.worker.getState() === 'RUNNING') parent.worker.shutdown();
    await parent?.run.catch(() => undefined);
    await parent?.connection.close();
    await clientConnection?.close();
    await disconnectMongo();
  });

  it('the child records itself as the holder of shop demo’s WhatsApp session, with its own task queue', async () => {
    expect(childIdentity).toBe(`${child.proc.pid}@${parentIdentity.split('@')[1]}`);
    expect(childIdentity).not.toBe(parentIdentity);
    expect(childQueue).toMatch(new RegExp(`^${TASK_QUEUE}@.+:${child.proc.pid}:[0-9a-f]+$`));
    const s = await ChannelSessionModel.findOne({ channel: 'whatsapp', shopId: 'demo' }).lean();
    expect(s).toMatchObject({ taskQueue: childQueue, holder: childIdentity });
    expect(s!.leaseUntil.getTime()).toBeGreaterThan(Date.now());
    expect(await channelSessionQueue('whatsapp', 'demo')).toBe(childQueue);
    // A lease that ran out (its process died) is not used.
    await ChannelSessionModel.create({
      channel: 'whatsapp',
      shopId: 'gone-shop',
      taskQueue: `${TASK_QUEUE}@dead:1:0`,
      holder: '1@dead',
      leaseUntil: new Date(Date.now() - 1000),
    });
    expect(await channelSessionQueue('whatsapp', 'gone-shop')).toBeNull();
  });

  it('a conversation is handled across both processes; every WhatsApp send runs in the process holding the socket', async () => {
    // 1. Only this process polls the shared queue: it runs the workflow; the send goes to the child.
    expect(
      await child.ask({ type: 'receive', buyer: BUYER, id: 'wa-h-1', text: 'How long does shipping take?' }, 'received'),
    ).toMatchObject({ outcome: 'accepted' });
    const first = await eventually(
      () => MessageModel.findOne({ workflowId: WORKFLOW_ID, direction: 'out', status: 'sent' }).lean(),
      60_000,
      'the first reply sent',
    );
    expect(first.deliveredBy).toBe(childIdentity);
    const config0 = (await client.workflow.getHandle(WORKFLOW_ID).describe()).taskQueue;
    expect(config0).toBe(TASK_QUEUE);

    // 2. This process's worker stops; the child starts polling the shared queue and handles the next turn.
    parent!.worker.shutdown();
    await parent!.run;
    await child.ask({ type: 'startWorker' }, 'workerStarted', 120_000);
    await child.ask({ type: 'receive', buyer: BUYER, id: 'wa-h-2', text: 'Can I return an item?' }, 'received');
    await eventually(
      async () => (await MessageModel.countDocuments({ workflowId: WORKFLOW_ID, direction: 'out', status: 'sent' })) >= 2,
      60_000,
      'the second reply sent',
    );
    await eventually(async () => (await client.workflow.getHandle(WORKFLOW_ID).query(contract.snapshot)).turns === 2, 30_000, 'turn 2');

    // The history: workflow tasks and activities of both processes; every sendToBuyer in the child.
    const history = await client.workflow.getHandle(WORKFLOW_ID).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, { type: string; queue: string }>();
    for (const e of events) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) scheduled.set(String(e.eventId), { type: a.activityType!.name!, queue: a.taskQueue!.name! });
    }
    const workflowTaskIdentities = new Set(events.flatMap((e) => e.workflowTaskStartedEventAttributes?.identity ?? []));
    const activities = events.flatMap((e) => {
      const a = e.activityTaskStartedEventAttributes;
      return a ? [{ ...scheduled.get(String(a.scheduledEventId))!, identity: a.identity }] : [];
    });
    expect([...workflowTaskIdentities].sort()).toEqual([childIdentity, parentIdentity].sort());
    expect(new Set(activities.map((a) => a.identity))).toEqual(new Set([childIdentity, parentIdentity]));
    const sends = activities.filter((a) => a.type === 'sendToBuyer');
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const s of sends) expect(s).toMatchObject({ identity: childIdentity, queue: childQueue });
    // The queue was asked for before each send, on the shared queue.
    expect(activities.filter((a) => a.type === 'sendQueueFor').every((a) => a.queue === TASK_QUEUE)).toBe(true);
    // Understanding is a local activity of the workflow task that takes the message (patch 'local-turn'): one per
    // message, run by the process of that task (both processes ran workflow tasks, checked above).
    expect(localActivityMarkers(events).filter((a) => a.type === 'understand')).toHaveLength(2);

    // Every WhatsApp message recorded as sent was delivered by the child, and is what its socket sent.
    const out = await MessageModel.find({ channel: 'whatsapp', direction: 'out' }).sort({ _id: 1 }).lean();
    expect(out.length).toBe(sends.length);
    for (const m of out) expect(m).toMatchObject({ status: 'sent', deliveredBy: childIdentity });
    const { sent } = (await child.ask({ type: 'sent' }, 'sent')) as unknown as { sent: { jid: string; id: string; text: string }[] };
    expect(sent.map((s) => s.id)).toEqual(out.map((m) => m.platformMessageId));
    expect(sent.every((s) => s.jid === BUYER)).toBe(true);
  });
  it('a holder that is gone (its lease not yet run out) is noticed by the schedule-to-start timeout: asked again, then the shared queue', async () => {
    // A process held shop ghost's session and died 10 s ago: its record still looks live for 20 s.
    const deadQueue = `${TASK_QUEUE}@dead-host:1:00000000`;
    await ChannelSessionModel.create({
      channel: 'whatsapp',
      shopId: 'ghost',
      taskQueue: deadQueue,
      holder: '1@dead-host',
      leaseUntil: new Date(Date.now() + 20_000),
    });
    const buyerId = '15557770002@s.whatsapp.net';
    const workflowId = conversationWorkflowId({ shopId: 'ghost', channel: 'whatsapp', buyerId });
    const input: ConversationInput = {
      shopId: 'ghost',
      channel: 'whatsapp',
      buyerId,
      config: { ...conversationConfig(config.conversation), searchAttributes: false, processBoundChannels: ['whatsapp'] },
    };
    await client.workflow.signalWithStart(contract.conversationWorkflowType, {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [input],
      signal: contract.buyerMessage,
      signalArgs: [
        {
          channel: 'whatsapp',
          shopId: 'ghost',
          buyerId,
          externalId: 'wa-ghost-1',
          text: 'How long does shipping take?',
          receivedAt: new Date().toISOString(),
        },
      ],
    });
    // After 30 s nobody took it from the dead queue; the lease has run out, so the shared queue (the
    // child's worker, which has no session for shop ghost) gets it: recorded as failed, as any refused send.
    const failed = await eventually(
      () => MessageModel.findOne({ workflowId, direction: 'out', status: 'failed' }).lean(),
      90_000,
      'the send, taken from the dead queue and failed in the child',
    );
    expect(failed.error).toContain('unknown_shop');
    // The record is written while the send runs; its started event reaches the history with the
    // activity's end (Temporal writes ActivityTaskStarted lazily): read the history once it is there.
    const sendsIn = (events: NonNullable<Awaited<ReturnType<ReturnType<typeof client.workflow.getHandle>['fetchHistory']>>['events']>) =>
      events.flatMap((e) => {
        const a = e.activityTaskScheduledEventAttributes;
        return a?.activityType?.name === 'sendToBuyer' ? [{ id: String(e.eventId), queue: a.taskQueue!.name! }] : [];
      });
    const events = await eventually(
      async () => {
        const h = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
        const second = sendsIn(h)[1];
        return second && h.some((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === second.id) ? h : null;
      },
      30_000,
      'the second send started in the history',
    );
    const sends = sendsIn(events);
    expect(sends.slice(0, 2).map((s) => s.queue)).toEqual([deadQueue, TASK_QUEUE]);
    const timedOut = events.find((e) => String(e.activityTaskTimedOutEventAttributes?.scheduledEventId) === sends[0]!.id);
    expect(timedOut?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType).toBe(2); // SCHEDULE_TO_START
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === sends[1]!.id);
    expect(started?.activityTaskStartedEventAttributes?.identity).toBe(childIdentity);
    // The queue was asked for twice for this send: before the first try and after its timeout.
    const asked = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendQueueFor');
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(Number(asked[1]!.eventId)).toBeGreaterThan(Number(timedOut!.eventId));
    expect(Number(asked[1]!.eventId)).toBeLessThan(Number(sends[1]!.id));
  }, 150_000);
});
