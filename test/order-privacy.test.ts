/**
 * Issue 14 item 2: order data does not cross buyers. Buyer B who types buyer A's order number, or the
 * tracking number of A's parcel, gets the safe "I can't find that order for you" and nothing of A's
 * order — and the carrier is never asked about A's parcel; A asking the same gets the live tracking.
 * A tracking number that matches no stored order is still tracked through the carrier (public data).
 * Core v2 on the time-skipping server with the real activities, web chat adapter and demo carrier.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { lookupBuyerFacts } from '../activities/commerce/buyer-facts.js';
import { liveAnswer } from '../activities/messaging/live-answers.js';
import type { Understanding } from '../activities/index.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { WebchatAdapter } from '../bots/webchat.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { OrderModel } from '../models/order.js';
import { DEMO_PARCEL, startDemoCarrier, type DemoCarrier } from '../scripts/demo/demo-carrier.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import { demoWebchat, eventually, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

let env: TestWorkflowEnvironment;
let stop: (() => Promise<void>) | undefined;
let intake: Intake;
let carrier: DemoCarrier;

const config: ConversationConfig = { ...conversationConfig(), searchAttributes: false };
const A_ORDER = 'PA-7001';
const NOT_FOUND = systemMessage('order_not_found', 'en').text;

beforeAll(async () => {
  await useFreshDatabase('sora_order_privacy');
  await seedDemoShop();
  // The demo's public sample order carries the demo parcel; here that parcel is buyer A's alone.
  await OrderModel.deleteOne({ shopId: 'demo', orderNumber: DEMO_PARCEL.orderNumber });
  await OrderModel.create({
    shopId: 'demo',
    orderNumber: A_ORDER,
    buyerIds: { webchat: 'priv-a' },
    totalUsd: 58.5,
    total: 58.5,
    currency: 'USD',
    status: 'shipped',
    country: 'TH',
    placedAt: new Date(),
    shipments: [{ carrier: DEMO_PARCEL.carrier, trackingNumber: DEMO_PARCEL.trackingNumber }],
    items: [{ sku: 'SKU-1', price: 58.5, quantity: 1 }],
    source: 'import',
  });
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

const { msg, wfId } = demoWebchat('priv');

/** The bot's first reply to this buyer's message (waits until the conversation has settled). */
async function replyTo(buyerId: string, text: string): Promise<string> {
  await intake.accept(msg(buyerId, text));
  await eventually(
    async () => {
      const s = await env.client.workflow.getHandle(wfId(buyerId)).query(contract.snapshot);
      return s.turns === 1 && s.pendingInbox === 0 && !s.busy;
    },
    60_000,
    `${buyerId} to settle`,
  );
  const out = await eventually(
    () => MessageModel.findOne({ workflowId: wfId(buyerId), direction: 'out', status: 'sent' }).lean(),
    30_000,
    `the reply to ${buyerId}`,
  );
  return out.text;
}

describe('order data stays with its buyer', () => {
  it('buyer B naming A’s order gets the safe reply, no tracking or customs data, and the carrier is not asked', async () => {
    const before = carrier.numbers.length;
    const text = await replyTo('priv-b', `Where is my order ${A_ORDER}?`);
    expect(text).toBe(NOT_FOUND);
    expect(text).not.toMatch(/Bangkok|customs|shipped/i);
    const snap = await env.client.workflow.getHandle(wfId('priv-b')).query(contract.snapshot);
    expect(snap.focusOrder).toBeNull();
    const all = await MessageModel.find({ workflowId: wfId('priv-b'), direction: 'out' }).lean();
    for (const m of all) expect(m.text).not.toMatch(/Bangkok|customs|LX246813576CN|PA-7001/i);
    expect(carrier.numbers.slice(before)).not.toContain(DEMO_PARCEL.trackingNumber);
  });

  it('buyer C typing the tracking number of A’s parcel gets the safe reply; the carrier is not asked', async () => {
    const before = carrier.numbers.length;
    const text = await replyTo('priv-c', `Where is my parcel? tracking number ${DEMO_PARCEL.trackingNumber}`);
    expect(text).toBe(NOT_FOUND);
    expect(carrier.numbers.slice(before)).not.toContain(DEMO_PARCEL.trackingNumber);
  });

  it('buyer A asking the same gets the live tracking (customs hold in Bangkok)', async () => {
    const text = await replyTo('priv-a', `Where is my order ${A_ORDER}?`);
    expect(text).toMatch(/Bangkok/);
    expect(text).toMatch(/customs/i);
    expect(carrier.numbers).toContain(DEMO_PARCEL.trackingNumber);
  });

  it('a tracking number no stored order has is still asked of the carrier (public carrier data)', async () => {
    const unknown = 'RR123456785CN';
    await replyTo('priv-d', `Where is my parcel? tracking number ${unknown}`);
    expect(carrier.numbers).toContain(unknown);
  });
});

describe('the rule in lookupBuyerFacts (ownOrdersOnly)', () => {
  const order = (orderNumber: string, over: Record<string, unknown> = {}) =>
    OrderModel.create({ shopId: 'demo', orderNumber, totalUsd: 10, status: 'paid', placedAt: new Date(), source: 'tiktok', ...over });

  it('links TikTok orders by the synced user id, answers order cards and the demo samples, withholds the rest', async () => {
    await BuyerModel.create({
      shopId: 'demo',
      channel: 'tiktok',
      buyerId: 'im-own',
      platformUserId: 'u-own',
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
    });
    await order('TT-OWN-1', { platformBuyerId: 'u-own' });
    await order('TT-OTHER-1', { platformBuyerId: 'u-other', shipments: [{ carrier: null, trackingNumber: 'TTPARCEL123' }] });
    await order('TT-CARD-9', { externalId: '5764000001' });
    const facts = await lookupBuyerFacts({
      shopId: 'demo',
      channel: 'tiktok',
      buyerId: 'im-own',
      orderNumbers: ['TT-OTHER-1', '1001', 'NO-SUCH-9'],
      orderRefs: ['5764000001'],
      trackingNumbers: ['TTPARCEL123', 'UNKNOWN123'],
      ownOrdersOnly: true,
    });
    const byNumber = Object.fromEntries((facts.orders ?? []).map((o) => [o.orderNumber, o.linked]));
    expect(byNumber).toEqual({ 'TT-OWN-1': true, '1001': false, 'TT-CARD-9': false });
    // Unknown and another buyer's numbers are reported alike; an unknown tracking number is not withheld.
    expect(facts.unavailable).toEqual({ orderNumbers: ['TT-OTHER-1', 'NO-SUCH-9'], trackingNumbers: ['TTPARCEL123'] });
    // Without the flag (runs recorded before order-privacy), the old answer.
    const old = await lookupBuyerFacts({ shopId: 'demo', channel: 'tiktok', buyerId: 'im-own', orderNumbers: ['TT-OTHER-1'] });
    expect(old.ordersFound).toContain('TT-OTHER-1');
    expect(old.unavailable).toBeUndefined();
  });
});

describe('the v1 send path (runs from before core v2 compose at send time)', () => {
  it('live answers use only the buyer’s own order: another buyer gets no live answer and the carrier is not asked', async () => {
    const u: Understanding = {
      language: 'en',
      intent: 'logistics_tracking',
      confidence: 0.9,
      faqId: null,
      understood: true,
      complaint: false,
      humanRequest: false,
      orderNumbers: [A_ORDER],
      trackingNumbers: [],
      skus: [],
      countries: [],
    };
    const live = { carrierCredentials: { seventeenTrack: { apiKey: 'demo', baseUrl: carrier.url } } };
    const before = carrier.numbers.length;
    expect(await liveAnswer('demo', u, 'en', { ...live, buyer: { channel: 'webchat', buyerId: 'priv-b' } })).toBeNull();
    const typed = { ...u, orderNumbers: [], trackingNumbers: [DEMO_PARCEL.trackingNumber] };
    expect(await liveAnswer('demo', typed, 'en', { ...live, buyer: { channel: 'webchat', buyerId: 'priv-b' } })).toBeNull();
    expect(carrier.numbers.length).toBe(before);
    expect((await liveAnswer('demo', u, 'en', { ...live, buyer: { channel: 'webchat', buyerId: 'priv-a' } }))?.text).toMatch(/Bangkok/);
  });
});
