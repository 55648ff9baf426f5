/**
 * Core v2 on the time-skipping test server, with the real activities, MongoDB-wire server, web chat
 * adapter and the demo carrier (a local server speaking the 17TRACK API): the workflow decides every
 * reply, the lifecycle keeps its promises (follow_up, agent idle, NPS only when resolved, seller
 * takeover), the shop's strategy drives the silence nudge, and a retried send delivers the recorded
 * text without calling the carrier again.
 */
import { ParcelStatusModel } from '../models/parcel-status.js';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { ChannelSendError, type ConversationRef, type OutboundMessage } from '../bots/channel.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { disconnectMongo } from '../models/connection.js';
import { ConversationModel } from '../models/conversation.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { TicketModel } from '../models/ticket.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { DEMO_EXCEPTION_PARCEL, DEMO_PARCEL, startDemoCarrier, type DemoCarrier } from '../scripts/demo/demo-carrier.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig, ConversationSnapshot } from '../workflows/types.js';
import { demoWebchat, eventually, kbEntryAnswering, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Web chat whose platform refuses the first send of chosen buyers (retryable), and remembers what each attempt carried. */
class FlakyWebchat extends WebchatAdapter {
  failFirstSendOf = new Set<string>();
  attempts: Array<{ buyerId: string; text: string; carrierRequests: number }> = [];
  carrier?: DemoCarrier;
  override async send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }> {
    this.attempts.push({ buyerId: to.buyerId, text: msg.text, carrierRequests: this.carrier?.requests ?? 0 });
    if (this.failFirstSendOf.delete(to.buyerId)) throw new ChannelSendError('webchat', '503', 'platform busy', true);
    return super.send(to, msg);
  }
}

let env: TestWorkflowEnvironment;
let stop: (() => Promise<void>) | undefined;
let intake: Intake;
let carrier: DemoCarrier;
const webchat = new FlakyWebchat();

const config: ConversationConfig = {
  ...conversationConfig(), // 30 s nudge, 10 min idle close, 30 min NPS delay, 24 h answer window, 24 h agent idle
  agentSlaMs: MIN,
  maxEscalationTiers: 1,
  searchAttributes: false,
};

beforeAll(async () => {
  await useFreshDatabase('sora_lifecycle');
  await seedDemoShop();
  carrier = await startDemoCarrier();
  webchat.carrier = carrier;
  ({ env, intake, stop } = await startTimeSkippingConversations({
    registry: new ChannelRegistry().register(webchat),
    config,
    carrierUrl: carrier.url,
  }));
});

afterAll(async () => {
  await stop?.();
  await carrier?.stop();
  await disconnectMongo();
});

const { msg, wfId } = demoWebchat('lc');
const handle = (buyerId: string) => env.client.workflow.getHandle(wfId(buyerId));
const snap = (buyerId: string) => handle(buyerId).query(contract.snapshot);
const t = (kind: Parameters<typeof systemMessage>[0], lang = 'en') => systemMessage(kind, lang).text;
async function settled(buyerId: string, turns: number, extra: (s: ConversationSnapshot) => boolean = () => true) {
  return eventually(
    async () => {
      const s = await snap(buyerId);
      return s.turns === turns && s.pendingInbox === 0 && !s.busy && extra(s) ? s : null;
    },
    30_000,
    `conversation ${buyerId} to settle at ${turns} turns`,
  );
}
const outbound = (buyerId: string) =>
  MessageModel.find({ workflowId: wfId(buyerId), direction: 'out' })
    .sort({ _id: 1 })
    .lean();
const sentTexts = async (buyerId: string) => (await outbound(buyerId)).map((m) => m.text);
const statusOf = async (buyerId: string, status: string) =>
  eventually(async () => ((await snap(buyerId)).status === status ? snap(buyerId) : null), 30_000, `${buyerId} ${status}`);

async function linkOrder(
  buyerId: string,
  orderNumber: string,
  totalUsd: number,
  shipments: Array<{ carrier: string; trackingNumber: string }> = [],
) {
  await OrderModel.create({
    shopId: 'demo',
    orderNumber,
    buyerIds: { webchat: buyerId },
    totalUsd,
    total: totalUsd,
    currency: 'USD',
    status: shipments.length ? 'shipped' : 'paid',
    country: 'TH',
    placedAt: new Date(),
    shipments,
    items: [{ sku: 'SKU-1', price: totalUsd, quantity: 1 }],
    source: 'manual',
  });
}

describe('the lifecycle keeps its promises', () => {
  it('failed handoff → follow_up (no idle close, no NPS) → agent accepts 2 h later → buyer gets the reply → close → NPS', async () => {
    await intake.accept(msg('fu-1', 'I want to talk to a real person'));
    await settled('fu-1', 1, (s) => s.status === 'waiting_agent');
    await env.sleep(MIN + 1000); // tier 1
    await eventually(() => NotificationModel.findOne({ workflowId: wfId('fu-1'), kind: 'escalation' }).lean(), 30_000, 'tier 1');
    await env.sleep(MIN + 1000); // bound reached
    const s = await statusOf('fu-1', 'follow_up');
    expect(s.followUpSince).not.toBeNull();
    await eventually(async () => (await sentTexts('fu-1')).includes(t('handoff_unavailable')), 30_000, 'the promise');
    await env.sleep(2 * HOUR);
    expect((await snap('fu-1')).status).toBe('follow_up');
    expect(await sentTexts('fu-1')).not.toContain(t('closed'));
    expect(await sentTexts('fu-1')).not.toContain(t('nps_question'));
    expect((await ConversationModel.findOne({ workflowId: wfId('fu-1') }).lean())?.status).toBe('follow_up');

    await handle('fu-1').signal(contract.agentAccepted, { agentId: 'bob' });
    await handle('fu-1').signal(contract.agentMessage, { agentId: 'bob', text: 'Sorry for the wait. Your refund is on its way.' });
    await eventually(async () => (await sentTexts('fu-1')).includes('Sorry for the wait. Your refund is on its way.'), 30_000, 'the reply');
    expect((await snap('fu-1')).status).toBe('agent');
    await handle('fu-1').signal(contract.closeConversation, { reason: 'resolved' });
    const closed = await statusOf('fu-1', 'closed');
    expect(closed.resolved).toBe(true);
    await env.sleep(30 * MIN + 1000);
    await eventually(async () => (await sentTexts('fu-1')).includes(t('nps_question')), 30_000, 'NPS after the owed reply');
    if (process.env.SORA_RECORD_HISTORY === '1') {
      const history = await handle('fu-1').fetchHistory();
      writeFileSync(fileURLToPath(new URL('./fixtures/conversation-history-v2.json', import.meta.url)), historyToJSON(history));
    }
  });

  it('an agent quiet for 30 min keeps the conversation open; after the 24 h agent-idle limit it closes with a notice', async () => {
    await intake.accept(msg('ai-1', 'agent please'));
    await settled('ai-1', 1, (s) => s.status === 'waiting_agent');
    await handle('ai-1').signal(contract.agentAccepted, { agentId: 'carol' });
    await handle('ai-1').signal(contract.agentMessage, { agentId: 'carol', text: 'Hi, Carol here.' });
    await eventually(async () => (await sentTexts('ai-1')).includes('Hi, Carol here.'), 30_000, 'agent message');
    await env.sleep(30 * MIN);
    expect((await snap('ai-1')).status).toBe('agent');
    await env.sleep(24 * HOUR);
    const s = await statusOf('ai-1', 'closed');
    expect(s.closeReason).toBe('agent_idle');
    expect(s.resolved).toBe(true); // the agent had the last word
    expect(await sentTexts('ai-1')).toContain(t('closed'));
  });

  it('a seller reply typed in the platform inbox moves the conversation to agent and the bot goes quiet', async () => {
    await intake.accept(msg('sr-1', 'How long does shipping take?'));
    await settled('sr-1', 1);
    await eventually(async () => (await outbound('sr-1')).length === 1);
    await handle('sr-1').signal(contract.sellerReply, {
      externalId: 'tt-seller-1',
      text: 'Hi, this is the shop owner',
      at: new Date().toISOString(),
      agentId: 'shop-7',
    });
    const s = await statusOf('sr-1', 'agent');
    expect(s.agentId).toBe('shop-7');
    expect(s.handoffReason).toBe('seller_takeover');
    const before = (await outbound('sr-1')).length;
    await intake.accept(msg('sr-1', 'Which payment methods do you accept?'));
    await settled('sr-1', 2);
    await env.sleep(11 * MIN); // past the bot's idle close: a human has it
    expect((await snap('sr-1')).status).toBe('agent');
    expect((await outbound('sr-1')).length).toBe(before);
  });

  it('a conversation that ends unresolved gets no survey and its run ends', async () => {
    await intake.accept(msg('un-1', 'my cat really likes the blue sofa'));
    await settled('un-1', 1);
    await env.sleep(10 * MIN + 1000);
    const result = await handle('un-1').result();
    expect(result).toMatchObject({ outcome: 'closed_unresolved', npsScore: null });
    expect(await sentTexts('un-1')).not.toContain(t('nps_question'));
  });
});

describe('the workflow decides the answer from facts', () => {
  it('"where is my parcel?" from a buyer with a stored order and no number gets that order’s live tracking', async () => {
    await linkOrder('wp-1', 'WP-100', 42, [{ carrier: DEMO_PARCEL.carrier, trackingNumber: DEMO_PARCEL.trackingNumber }]);
    await intake.accept(msg('wp-1', 'Where is my parcel?'));
    const s = await settled('wp-1', 1);
    expect(s.focusOrder).toMatchObject({ orderNumber: 'WP-100', via: 'buyer_latest' });
    const [reply] = await eventually(async () => ((await outbound('wp-1')).length ? outbound('wp-1') : null));
    expect(reply!.text).toMatch(/Bangkok/);
    expect(reply!.text).toMatch(/customs/i);
    expect(reply!.source).toBe('customs');
  });

  it('a parcel with a delivery exception: the buyer gets the tracking, and a carrier investigation ticket opens once', async () => {
    const parcel = { carrier: DEMO_EXCEPTION_PARCEL.carrier, trackingNumber: DEMO_EXCEPTION_PARCEL.trackingNumber };
    await linkOrder('ex-1', 'EX-1', 25, [parcel]);
    await intake.accept(msg('ex-1', 'Where is my parcel?'));
    await settled('ex-1', 1);
    const [reply] = await eventually(async () => ((await outbound('ex-1')).length ? outbound('ex-1') : null));
    expect(reply!.text).toMatch(/address not found/i);
    const t = await eventually(
      () => TicketModel.findOne({ conversationIds: wfId('ex-1'), source: 'carrier_investigation' }).lean(),
      30_000,
      'ticket',
    );
    expect(t).toMatchObject({ trackingNumber: parcel.trackingNumber, orderNumber: 'EX-1', priority: 'high', status: 'open' });
    expect(t!.subject).toContain(parcel.trackingNumber);
    // The tracking activity recorded the parcel's last state for the desk's sidebar.
    expect(await ParcelStatusModel.findOne({ shopId: 'demo', trackingNumber: parcel.trackingNumber }).lean()).toMatchObject({
      status: 'exception',
      lastEvent: { description: 'Delivery failed: address not found' },
    });
    // Asked again: the same parcel, the same ticket.
    await intake.accept(msg('ex-1', 'Any news on my parcel?'));
    await settled('ex-1', 2);
    expect(await TicketModel.countDocuments({ conversationIds: wfId('ex-1') })).toBe(1);
  });

  it('a return asked for a named order gets the market rule, and a return_action ticket opens once per order', async () => {
    await linkOrder('ra-1', 'RA-7', 25);
    await intake.accept(msg('ra-1', 'I want to return order RA-7, how do I send it back?'));
    const s = await settled('ra-1', 1);
    expect(s.focusOrder).toMatchObject({ orderNumber: 'RA-7', via: 'named' });
    const [reply] = await eventually(async () => ((await outbound('ra-1')).length ? outbound('ra-1') : null));
    expect(reply!.source).toBe('return_policy');
    const t = await eventually(
      () => TicketModel.findOne({ conversationIds: wfId('ra-1'), source: 'return_action' }).lean(),
      30_000,
      'ticket',
    );
    expect(t).toMatchObject({ orderNumber: 'RA-7', status: 'open', subject: 'Return requested for order RA-7' });
  });

  it('an order without a parcel gets its status', async () => {
    await linkOrder('os-1', 'OS-7', 20);
    await intake.accept(msg('os-1', 'where is my order?'));
    await settled('os-1', 1);
    const [status] = await eventually(async () => ((await outbound('os-1')).length ? outbound('os-1') : null));
    expect(status!.text).toBe(systemMessage('order_status', 'en', { order: 'OS-7', status: 'paid' }).text);
    expect(status!.text).toMatch(/^Your order OS-7 is paid/);
    expect(status!.source).toBe('order_status');
  });

  it('tracks every parcel of the order, not only the first', async () => {
    await linkOrder('mp-1', 'MP-1', 30, [
      { carrier: DEMO_PARCEL.carrier, trackingNumber: DEMO_PARCEL.trackingNumber },
      { carrier: DEMO_PARCEL.carrier, trackingNumber: DEMO_PARCEL.trackingNumber },
    ]);
    await intake.accept(msg('mp-1', 'where is my order MP-1'));
    await settled('mp-1', 1);
    const [reply] = await eventually(async () => ((await outbound('mp-1')).length ? outbound('mp-1') : null));
    expect(reply!.text.split('\n')).toHaveLength(2);
    expect(reply!.text.split('\n').every((l) => l.startsWith(`${DEMO_PARCEL.trackingNumber}: `))).toBe(true);
  });

  it('the order-value rule looks at the order the conversation is about, not at any past order', async () => {
    await linkOrder('ov-1', 'OV-1', 500);
    await intake.accept(msg('ov-1', 'thanks, that is all'));
    let s = await settled('ov-1', 1);
    expect(s.status).toBe('bot');
    expect(s.handoffReason).toBeNull();
    await intake.accept(msg('ov-1', 'has my order shipped? where is it?'));
    s = await settled('ov-1', 2, (x) => x.status === 'waiting_agent');
    expect(s.handoffReason).toBe('order_value');
    expect(s.focusOrder?.orderNumber).toBe('OV-1');
  });

  it('a retried send delivers exactly the recorded text and never calls the carrier again', async () => {
    webchat.failFirstSendOf.add('rt-1');
    await intake.accept(msg('rt-1', 'Where is my order 1234?'));
    await settled('rt-1', 1);
    const record = await eventually(
      async () => {
        const [m] = await outbound('rt-1');
        return m?.status === 'sent' ? m : null;
      },
      60_000,
      'the retried send to succeed',
    );
    const attempts = webchat.attempts.filter((a) => a.buyerId === 'rt-1');
    expect(attempts.length).toBe(2);
    expect(attempts[1]!.text).toBe(attempts[0]!.text);
    expect(attempts[1]!.text).toBe(record.text);
    expect(record.text).toMatch(/Bangkok/);
    // No carrier request between the failed attempt and the retry: the send activity only delivers.
    expect(attempts[1]!.carrierRequests).toBe(attempts[0]!.carrierRequests);
  });
});

describe('the shop’s conversation strategy drives the silence nudge', () => {
  const setStrategy = (strategy: Record<string, unknown>) => ShopModel.updateOne({ shopId: 'demo' }, { $set: { strategy } });

  it('nudges 30 s after a plain answer (default: after any bot reply), once', async () => {
    await setStrategy({});
    await intake.accept(msg('ns-1', 'Which payment methods do you accept?'));
    await settled('ns-1', 1);
    const [answer] = await eventually(async () => ((await outbound('ns-1')).length ? outbound('ns-1') : null));
    expect((await kbEntryAnswering(answer!.text))?.intent).toBe('payment');
    expect(answer!.asksQuestion).toBe(false);
    await env.sleep(31_000);
    await eventually(async () => (await sentTexts('ns-1')).includes(t('silence_nudge')), 30_000, 'nudge');
    await env.sleep(5 * MIN);
    expect((await sentTexts('ns-1')).filter((x) => x === t('silence_nudge'))).toHaveLength(1);
  });

  it('"only after a question" and "off" are honoured, and the delay is the shop’s', async () => {
    await setStrategy({ silenceNudgeAfter: 'question' });
    await intake.accept(msg('ns-2', 'Which payment methods do you accept?'));
    await settled('ns-2', 1);
    await env.sleep(2 * MIN);
    expect(await sentTexts('ns-2')).not.toContain(t('silence_nudge'));

    await setStrategy({ silenceNudge: false });
    await intake.accept(msg('ns-3', 'my cat really likes the blue sofa'));
    await settled('ns-3', 1);
    await env.sleep(2 * MIN);
    expect(await sentTexts('ns-3')).not.toContain(t('silence_nudge'));

    await setStrategy({ silenceNudgeDelayMs: 90_000, silenceNudgeMax: 2 });
    await intake.accept(msg('ns-4', 'Which payment methods do you accept?'));
    await settled('ns-4', 1);
    await env.sleep(60_000);
    expect(await sentTexts('ns-4')).not.toContain(t('silence_nudge'));
    await env.sleep(31_000);
    await eventually(async () => (await sentTexts('ns-4')).includes(t('silence_nudge')), 30_000, 'nudge at 90 s');
    await intake.accept(msg('ns-4', 'Is there a warranty?'));
    await settled('ns-4', 2);
    await env.sleep(91_000);
    await eventually(async () => (await sentTexts('ns-4')).filter((x) => x === t('silence_nudge')).length === 2, 30_000, 'second nudge');
    await setStrategy({});
  });
});
