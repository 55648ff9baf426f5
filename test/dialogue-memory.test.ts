/**
 * Issue 18 item 1: conversations with memory. "Where is my order?" with no order known asks for
 * the number, and a bare "1234" in the next message is read as that number (the tracking answer);
 * with several orders of the buyer the bot offers them as quick replies; with one it answers without
 * asking; a new question drops the pending one. The real conversation workflow and activities on the
 * time-skipping server, web chat adapter, demo FAQ and demo carrier.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import type { OrderFact, Understanding } from '../activities/index.js';
import { extractAnsweredOrderNumbers } from '../activities/understanding/entities.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { OrderModel } from '../models/order.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { DEMO_PARCEL, startDemoCarrier, type DemoCarrier } from '../scripts/demo/demo-carrier.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import { askFor, resumePending, stillPending } from '../workflows/conversation/slots.js';
import type { ConversationConfig } from '../workflows/types.js';
import { demoWebchat, eventually, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

let env: TestWorkflowEnvironment;
let stop: (() => Promise<void>) | undefined;
let intake: Intake;
let carrier: DemoCarrier;

const config: ConversationConfig = { ...conversationConfig(), searchAttributes: false };
const ASK_NUMBER = systemMessage('ask_order_number', 'en').text;
const WHICH = systemMessage('which_order', 'en').text;

beforeAll(async () => {
  await useFreshDatabase('sora_dialogue_memory');
  await seedDemoShop();
  const order = (orderNumber: string, buyerId: string, daysAgo: number, status: string) =>
    OrderModel.create({
      shopId: 'demo',
      orderNumber,
      buyerIds: { webchat: buyerId },
      totalUsd: 40,
      total: 40,
      currency: 'USD',
      status,
      country: 'TH',
      placedAt: new Date(Date.now() - daysAgo * 86_400_000),
      items: [{ sku: 'SKU-1', price: 40, quantity: 1 }],
      source: 'import',
    });
  await order('MEM-OLD-1', 'mem-two', 9, 'paid');
  await order('MEM-NEW-2', 'mem-two', 2, 'awaiting_shipment');
  await order('MEM-ONE-1', 'mem-one', 3, 'paid');
  carrier = await startDemoCarrier();
  ({ env, intake, stop } = await startTimeSkippingConversations({
    registry: new ChannelRegistry().register(new WebchatAdapter()),
    config,
    carrierUrl: carrier.url,
  }));
});

afterAll(async () => {
  await stop?.();
  await carrier?.stop();
  await disconnectMongo();
});

const { msg, wfId } = demoWebchat('mem');

/** Sends the buyer's next message and returns the bot's reply to it (after the turn has settled). */
async function say(buyerId: string, text: string): Promise<{ text: string; quickReplies: string[] }> {
  const before = await MessageModel.countDocuments({ workflowId: wfId(buyerId), direction: 'out', status: 'sent' });
  const handle = () => env.client.workflow.getHandle(wfId(buyerId));
  const turnsBefore = before === 0 ? 0 : (await handle().query(contract.snapshot)).turns;
  await intake.accept(msg(buyerId, text));
  await eventually(
    async () => {
      const s = await handle().query(contract.snapshot);
      return s.turns === turnsBefore + 1 && s.pendingInbox === 0 && !s.busy;
    },
    60_000,
    `${buyerId}'s turn to settle`,
  );
  const out = await eventually(
    async () => {
      const sent = await MessageModel.find({ workflowId: wfId(buyerId), direction: 'out', status: 'sent' })
        .sort({ createdAt: 1 })
        .lean();
      return sent.length > before ? sent[sent.length - 1] : null;
    },
    30_000,
    `the reply to ${buyerId}`,
  );
  return { text: out.text, quickReplies: out.quickReplies ?? [] };
}

describe('a conversation that asks for what it needs', () => {
  it('"where is my order?" → "what is your order number?" → "1234" → the live tracking answer', async () => {
    const first = await say('mem-none', 'Where is my order?');
    expect(first.text).toBe(ASK_NUMBER);
    expect(carrier.numbers).not.toContain(DEMO_PARCEL.trackingNumber);
    const second = await say('mem-none', '1234');
    // The demo sample order 1234 carries the demo parcel: the carrier was asked and its news told.
    expect(carrier.numbers).toContain(DEMO_PARCEL.trackingNumber);
    expect(second.text).not.toBe(ASK_NUMBER);
    // The demo parcel is held by customs in Bangkok: the customs-aware tracking answer.
    expect(second.text).toMatch(/customs clearance in Bangkok/);
    // The bare number was the answer to the bot's question, not a question the FAQ missed.
    expect(await UnmatchedQuestionModel.countDocuments({ shopId: 'demo', text: '1234' })).toBe(0);
  });

  it('with several orders of the buyer it offers them as quick replies (newest first) and answers the one chosen', async () => {
    const first = await say('mem-two', 'where is my order?');
    expect(first.text).toBe(WHICH);
    expect(first.quickReplies).toEqual(['MEM-NEW-2', 'MEM-OLD-1']);
    const second = await say('mem-two', 'MEM-OLD-1');
    expect(second.text).toBe(systemMessage('order_status', 'en', { order: 'MEM-OLD-1', status: 'paid' }).text);
  });

  it('with one order of the buyer it answers about that order without asking', async () => {
    const first = await say('mem-one', 'where is my order?');
    expect(first.text).toBe(systemMessage('order_status', 'en', { order: 'MEM-ONE-1', status: 'paid' }).text);
  });

  it('a new question instead of the number is answered, and the pending question is dropped', async () => {
    expect((await say('mem-switch', 'where is my order?')).text).toBe(ASK_NUMBER);
    const other = await say('mem-switch', 'Do you accept cash on delivery?');
    expect(other.text).not.toBe(ASK_NUMBER);
    expect(other.text).not.toBe(systemMessage('not_understood', 'en').text);
    const snap = await env.client.workflow.getHandle(wfId('mem-switch')).query(contract.snapshot);
    expect(snap.turns).toBe(2);
  });

  it('asks in the buyer’s language', async () => {
    expect((await say('mem-es', '¿Dónde está mi pedido?')).text).toBe(systemMessage('ask_order_number', 'es').text);
  });
});

describe('the rules (workflows/conversation/slots.ts)', () => {
  const u = (over: Partial<Understanding>): Understanding => ({
    language: 'en',
    intent: 'unknown',
    confidence: 0.1,
    faqId: null,
    understood: false,
    complaint: false,
    humanRequest: false,
    orderNumbers: [],
    trackingNumbers: [],
    skus: [],
    countries: [],
    ...over,
  });
  const pending = { intent: 'logistics_tracking', faqId: 'faq-7', confidence: 0.8, ask: 'order_number' as const, options: [], turn: 1 };

  it('a number continues the pending intent; a complaint, a human request or another question does not', () => {
    expect(resumePending(u({ orderNumbers: ['1234'] }), [], pending)).toMatchObject({
      resumed: true,
      u: { intent: 'logistics_tracking', faqId: 'faq-7', understood: true },
    });
    expect(resumePending(u({}), ['card-1'], pending).resumed).toBe(true);
    expect(resumePending(u({ orderNumbers: ['1234'], complaint: true }), [], pending).resumed).toBe(false);
    expect(resumePending(u({ orderNumbers: ['1234'], humanRequest: true }), [], pending).resumed).toBe(false);
    expect(resumePending(u({ orderNumbers: ['1234'], understood: true, intent: 'payment' }), [], pending).resumed).toBe(false);
    expect(resumePending(u({}), [], pending).resumed).toBe(false);
    expect(resumePending(u({ orderNumbers: ['1234'] }), [], null).resumed).toBe(false);
  });

  it('asks only for an order question with no order in focus and no tracking number', () => {
    const ask = u({ understood: true, intent: 'logistics_tracking', confidence: 0.9 });
    const o = (orderNumber: string, placedAt: string, linked = true) => ({ orderNumber, placedAt, linked }) as OrderFact;
    expect(askFor(ask, [], false, 1)?.ask).toBe('order_number');
    expect(askFor(ask, [o('A', '2026-01-01'), o('B', '2026-02-01')], false, 1)).toMatchObject({ ask: 'which_order', options: ['B', 'A'] });
    expect(askFor(ask, [o('A', '2026-01-01'), o('X', '2026-02-01', false)], false, 1)).toBeNull();
    expect(askFor(ask, [], true, 1)).toBeNull();
    expect(askFor({ ...ask, trackingNumbers: ['LX246813576CN'] }, [], false, 1)).toBeNull();
    expect(askFor({ ...ask, intent: 'payment' }, [], false, 1)).toBeNull();
  });

  it('a pending question lasts two unanswered messages', () => {
    expect(stillPending(pending, 2)).toBe(pending);
    expect(stillPending(pending, 3)).toBe(pending);
    expect(stillPending(pending, 4)).toBeNull();
  });

  it('reads a short answer as an order number, not a tracking number or a sentence', () => {
    expect(extractAnsweredOrderNumbers('1234', [])).toEqual(['1234']);
    expect(extractAnsweredOrderNumbers("it's #a-5521.", [])).toEqual(['A-5521']);
    expect(extractAnsweredOrderNumbers('LX246813576CN', ['LX246813576CN'])).toEqual([]);
    expect(extractAnsweredOrderNumbers('I ordered 2 shirts last week from your shop', [])).toEqual([]);
    expect(extractAnsweredOrderNumbers('hello', [])).toEqual([]);
  });
});
