/**
 * Issue 18 item 1, "a slot filled from a synced order": dialogue memory with orders that are NOT
 * stored beforehand but come from the TikTok Shop order sync at conversation time. The buyer writes
 * on TikTok (the TikTok adapter sends the replies to the local Partner API stand-in,
 * test/fakes/tiktok-partner.ts, which also serves the buyer's conversation participants and orders);
 * lookupBuyerFacts syncs the buyer's orders (activities/commerce/orders/sync.ts) and the order-number
 * slot is filled from them without asking: one order → its answer; several → "which one?" with them
 * as choices; "has my order shipped?" → the synced status. The real conversation workflow and
 * activities on the time-skipping server, demo FAQ and demo carrier.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemMessage } from '../activities/catalog/system-messages.js';
import { fxRates } from '../activities/commerce/orders/fx.js';
import { pickedChoice } from '../activities/understanding/entities.js';
import { TiktokOrderSource } from '../activities/commerce/orders/tiktok-source.js';
import { conversationWorkflowId } from '../bots/channel.js';
import type { Intake } from '../bots/intake.js';
import { ChannelRegistry } from '../bots/registry.js';
import { TiktokAdapter } from '../bots/tiktok/adapter.js';
import { PartnerApiClient } from '../infra/platforms/tiktok/partner-api.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { OrderModel } from '../models/order.js';
import { UnmatchedQuestionModel } from '../models/unmatched-question.js';
import { createTiktokTokenStore } from '../models/tiktok-token.js';
import { DEMO_PARCEL, startDemoCarrier, type DemoCarrier } from '../scripts/demo/demo-carrier.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import * as contract from '../workflows/contract.js';
import type { ConversationConfig } from '../workflows/types.js';
import { startFakeTiktok, type FakeTiktok } from './fakes/tiktok-partner.js';
import { eventually, testSecrets, useFreshDatabase } from './setup/helpers.js';
import { startTimeSkippingConversations } from './setup/time-skipping-conversations.js';

const secrets = testSecrets();
const APP_KEY = 'slot-app-key';
const APP_SECRET = 'slot-app-secret';
const TT_SHOP = '7494049642642441699';
const CIPHER = 'GB_cipher_slots';

const config: ConversationConfig = { ...conversationConfig(), searchAttributes: false };
const ASK_NUMBER = systemMessage('ask_order_number', 'en').text;
const WHICH = systemMessage('which_order', 'en').text;
const status = (order: string, s: string) => systemMessage('order_status', 'en', { order, status: s }).text;
const daysAgo = (d: number) => Math.floor(Date.now() / 1000) - d * 86_400;

/** A TikTok buyer: IM user id (the channel's buyer id), the user_id orders carry, the conversation. */
const buyer = (key: string) => ({ im: `im-slot-${key}`, userId: `u-slot-${key}`, conversation: `conv-slot-${key}` });
const ONE = buyer('one');
const TWO = buyer('two');
const SHIP = buyer('ship');
const PICK = buyer('pick');

/** A Get Order List `orders[]` entry (Order API 202309) of `userId`, £30 (below the order-value handoff). */
function tiktokOrder(id: string, userId: string, o: { status: string; days: number; tracking?: string }) {
  return {
    id,
    status: o.status,
    user_id: userId,
    create_time: daysAgo(o.days),
    payment: { currency: 'GBP', total_amount: '30.00' },
    recipient_address: { region_code: 'GB' },
    line_items: [
      {
        id: `${id}-li`,
        sku_id: '2729382476852921999',
        product_name: 'Enamel pin set',
        sale_price: '30.00',
        currency: 'GBP',
        tracking_number: o.tracking ?? '',
        shipping_provider_name: o.tracking ? 'China Post' : '',
      },
    ],
  };
}

let env: TestWorkflowEnvironment;
let stop: (() => Promise<void>) | undefined;
let intake: Intake;
let carrier: DemoCarrier;
let fake: FakeTiktok;

beforeAll(async () => {
  await useFreshDatabase('sora_dialogue_synced_orders');
  await seedDemoShop();
  fake = await startFakeTiktok(APP_KEY, APP_SECRET);
  const api = new PartnerApiClient({
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    tokens: createTiktokTokenStore(secrets),
    apiUrl: fake.url,
    authUrl: fake.url,
    log: () => {},
  });
  await api.authorize(
    fake.authCode({ openId: 'seller-slot', name: 'Sora Demo Store', shops: [{ id: TT_SHOP, name: 'Demo', region: 'GB', cipher: CIPHER }] }),
  );
  for (const b of [ONE, TWO, SHIP, PICK])
    fake.conversations.push({
      id: b.conversation,
      messages: [],
      participants: [
        { im_user_id: 'shop-im-slot', user_id: '', role: 'SHOP' },
        { im_user_id: b.im, user_id: b.userId, role: 'BUYER' },
      ],
    });
  fake.orders[CIPHER] = [
    // One order, on its way with the demo parcel (held by customs in Bangkok at the demo carrier).
    tiktokOrder('700000000000000101', ONE.userId, { status: 'IN_TRANSIT', days: 3, tracking: DEMO_PARCEL.trackingNumber }),
    // Two orders, nothing shipped yet.
    tiktokOrder('700000000000000201', TWO.userId, { status: 'COMPLETED', days: 20 }),
    tiktokOrder('700000000000000202', TWO.userId, { status: 'AWAITING_SHIPMENT', days: 1 }),
    // One order, being prepared.
    tiktokOrder('700000000000000301', SHIP.userId, { status: 'AWAITING_SHIPMENT', days: 2 }),
    // Two orders, picked by their number in the list.
    tiktokOrder('700000000000000401', PICK.userId, { status: 'CANCELLED', days: 30 }),
    tiktokOrder('700000000000000402', PICK.userId, { status: 'AWAITING_COLLECTION', days: 2 }),
    // Someone else's order: never offered.
    tiktokOrder('700000000000000901', 'u-slot-someone-else', { status: 'IN_TRANSIT', days: 1 }),
  ];
  carrier = await startDemoCarrier();
  ({ env, intake, stop } = await startTimeSkippingConversations({
    registry: new ChannelRegistry().register(
      new TiktokAdapter({
        secrets,
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        shops: { [TT_SHOP]: 'demo' },
        apiUrl: fake.url,
        authUrl: fake.url,
        log: () => {},
      }),
    ),
    config,
    carrierUrl: carrier.url,
    orderSources: [new TiktokOrderSource(api, { shops: { demo: [TT_SHOP] }, rates: fxRates({}), log: () => {} })],
  }));
});

afterAll(async () => {
  await stop?.();
  await carrier?.stop();
  await fake?.close();
  await disconnectMongo();
});

const wfId = (b: { im: string }) => conversationWorkflowId({ shopId: 'demo', channel: 'tiktok', buyerId: b.im });
let n = 0;

/** The buyer's next TikTok message (as the adapter's webhook hands it to the intake); the bot's reply to it. */
async function say(b: ReturnType<typeof buyer>, text: string): Promise<{ text: string; quickReplies: string[]; sentToTiktok: string }> {
  const before = await MessageModel.countDocuments({ workflowId: wfId(b), direction: 'out', status: 'sent' });
  const handle = () => env.client.workflow.getHandle(wfId(b));
  const turnsBefore = before === 0 ? 0 : (await handle().query(contract.snapshot)).turns;
  await intake.accept({
    channel: 'tiktok',
    shopId: 'demo',
    buyerId: b.im,
    externalId: `slot-msg-${++n}`,
    text,
    receivedAt: new Date().toISOString(),
    replyTo: { tiktokShopId: TT_SHOP, conversationId: b.conversation },
  });
  await eventually(
    async () => {
      const s = await handle().query(contract.snapshot);
      return s.turns === turnsBefore + 1 && s.pendingInbox === 0 && !s.busy;
    },
    60_000,
    `${b.im}'s turn to settle`,
  );
  const out = await eventually(
    async () => {
      const sent = await MessageModel.find({ workflowId: wfId(b), direction: 'out', status: 'sent' })
        .sort({ createdAt: 1 })
        .lean();
      return sent.length > before ? sent[sent.length - 1] : null;
    },
    30_000,
    `the reply to ${b.im}`,
  );
  // What the buyer saw in the TikTok conversation (the stand-in's Send Message record).
  return { text: out.text, quickReplies: out.quickReplies ?? [], sentToTiktok: fake.textsIn(b.conversation).at(-1) ?? '' };
}

describe('the order-number slot filled from orders synced from TikTok Shop', () => {
  it('nothing is stored before the buyers write', async () => {
    expect(await OrderModel.countDocuments({ shopId: 'demo', source: 'tiktok' })).toBe(0);
    expect(await BuyerModel.countDocuments({ shopId: 'demo', channel: 'tiktok' })).toBe(0);
  });

  it('one order on TikTok: "where is my order?" is answered with its parcel’s tracking, without asking for the number', async () => {
    const reply = await say(ONE, 'Where is my order?');
    expect(reply.text).not.toBe(ASK_NUMBER);
    // The order came from the sync (Get Order List by the buyer's user_id, read from the conversation's participants) ...
    const search = fake.orderRequests.filter((r) => r.path === '/order/202309/orders/search');
    expect(search.map((r) => (r.body as { buyer_user_id?: string }).buyer_user_id)).toEqual([ONE.userId]);
    expect(await OrderModel.findOne({ shopId: 'demo', orderNumber: '700000000000000101' }).lean()).toMatchObject({
      source: 'tiktok',
      buyerIds: { tiktok: ONE.im },
    });
    // ... and its parcel was tracked: the demo parcel is held by customs in Bangkok.
    expect(carrier.numbers).toContain(DEMO_PARCEL.trackingNumber);
    expect(reply.text).toMatch(/customs clearance in Bangkok/);
    const snap = await env.client.workflow.getHandle(wfId(ONE)).query(contract.snapshot);
    expect(snap.turns).toBe(1);
    expect(reply.sentToTiktok).toBe(reply.text);
  });

  it('several orders on TikTok: offered as choices (newest first, listed in the TikTok text), and the one picked is answered', async () => {
    const first = await say(TWO, 'where is my order?');
    expect(first.text).toBe(WHICH);
    expect(first.quickReplies).toEqual(['700000000000000202', '700000000000000201']);
    // TikTok has no buttons: the choices are listed in the message.
    expect(first.sentToTiktok).toBe(`${WHICH}\n\n1. 700000000000000202\n2. 700000000000000201`);
    const second = await say(TWO, '700000000000000201');
    expect(second.text).toBe(status('700000000000000201', 'completed'));
  });

  it('TikTok lists the choices as "1. …", "2. …": the buyer answering "2" gets the second order', async () => {
    const first = await say(PICK, 'where is my order?');
    expect(first.sentToTiktok).toBe(`${WHICH}\n\n1. 700000000000000402\n2. 700000000000000401`);
    const second = await say(PICK, '2');
    expect(second.text).toBe(status('700000000000000401', 'cancelled'));
    // "2" answered the bot's question: not a question the FAQ missed.
    expect(await UnmatchedQuestionModel.countDocuments({ shopId: 'demo', text: '2' })).toBe(0);
    // The question is answered: forgotten, and the order picked is the conversation's.
    const snap = await env.client.workflow.getHandle(wfId(PICK)).query(contract.snapshot);
    expect(snap).toMatchObject({ turns: 2, pending: null, focusOrder: { orderNumber: '700000000000000401' } });
  });

  it('"has my order shipped?" is answered from the synced order’s status', async () => {
    const reply = await say(SHIP, 'has my order shipped?');
    expect(fake.orderRequests.some((r) => (r.body as { buyer_user_id?: string } | undefined)?.buyer_user_id === SHIP.userId)).toBe(true);
    expect(reply.text).toBe(status('700000000000000301', 'awaiting_shipment'));
    expect(reply.text).toMatch(/700000000000000301 is being prepared for shipping/);
  });

  it('no other buyer’s order was stored for these buyers', async () => {
    expect(await OrderModel.countDocuments({ shopId: 'demo', orderNumber: '700000000000000901' })).toBe(0);
  });
});

describe('a choice by its position (activities/understanding/entities.ts pickedChoice)', () => {
  const offered = ['A-100', 'B-200', 'C-300'];
  it('reads a bare position within the choices offered, nothing else', () => {
    expect(pickedChoice('2', offered)).toBe('B-200');
    expect(pickedChoice(' 1. ', offered)).toBe('A-100');
    expect(pickedChoice('#3', offered)).toBe('C-300');
    expect(pickedChoice('3)', offered)).toBe('C-300');
    expect(pickedChoice('No. 2', offered)).toBe('B-200');
    expect(pickedChoice('4', offered)).toBeNull();
    expect(pickedChoice('0', offered)).toBeNull();
    expect(pickedChoice('2 shirts', offered)).toBeNull();
    expect(pickedChoice('1234', offered)).toBeNull();
    expect(pickedChoice('2', [])).toBeNull();
    expect(pickedChoice('2', undefined)).toBeNull();
  });
});
