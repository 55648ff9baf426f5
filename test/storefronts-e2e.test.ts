/**
 * Issue 19's "done when", end to end: `SORA_CHANNELS=webchat,lazada,email,line` parsed from the
 * environment the way `npm start` parses it, every platform played by its local stand-in (Lazada
 * Open Platform, an IMAP + SMTP server, the LINE Messaging API, the Shopify Admin GraphQL API,
 * 17TRACK), the adapters and order sources built from that configuration alone. A buyer on each
 * channel asks the same question and gets the same FAQ answer; a Lazada order and a Shopify order
 * each feed the tracking answer, and one of each above $200 the handoff rule.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ShopifyOrder } from '../activities/commerce/orders/shopify-map.js';
import { conversationWorkflowId } from '../bots/channel.js';
import { customerHash } from '../bots/webchat/identity.js';
import { loadConfig } from '../infra/config/index.js';
import { LazadaApiClient } from '../infra/platforms/lazada/open-api.js';
import { disconnectMongo } from '../models/connection.js';
import { FaqEntryModel } from '../models/faq-entry.js';
import { createLazadaTokenStore } from '../models/lazada-token.js';
import { webchatIdentitySecret } from '../models/webchat-identity-secret.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import * as contract from '../workflows/contract.js';
import { startFakeLazada, type FakeLazada } from './fakes/lazada-open-platform.js';
import { startFakeShopify, type FakeShopify } from './fakes/shopify-admin.js';
import { startLinePlatform, type LineBot, type LinePlatform } from './fakes/line-platform.js';
import { buyerMail, startMailServers, type MailServers } from './fakes/mail-servers.js';
import { startCarrierServer, seventeenTrackEcho, type CarrierServer } from './kit/carrier-server.js';
import { eventually, testSecrets, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

const secrets = testSecrets();
const SELLER = '200100777';
const LAZADA_KEY = '501234';
const LAZADA_SECRET = 'lazada-app-secret';
const LINE_BOT: LineBot = {
  shopId: 'demo',
  botUserId: 'U0e2e0000000000000000000000000000',
  secret: 'line-channel-secret',
  accessToken: 'line-access-token',
};
const QUESTION = 'How long does shipping take?';

let app: App;
let lazada: FakeLazada;
let line: LinePlatform;
let mail: MailServers;
let t17: CarrierServer;
let shopify: FakeShopify;
let identitySecret: string;
let faqAnswer: string;
const SHOPIFY_TOKEN = 'shpat_e2e_0123456789abcdef';
const shopifyOrder = () => JSON.parse(readFileSync(new URL('./fixtures/shopify/order-node.json', import.meta.url), 'utf8')) as ShopifyOrder;

/** Lazada's time format, `days` ago, in Bangkok time. */
const lazadaDate = (days: number) => {
  const d = new Date(Date.now() - days * 86_400_000 + 7 * 3_600_000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} +0700`;
};

beforeAll(async () => {
  await useFreshDatabase('sora_storefronts_e2e');
  await seedDemoShop();
  lazada = await startFakeLazada(LAZADA_KEY, LAZADA_SECRET);
  line = await startLinePlatform([LINE_BOT]);
  mail = await startMailServers();
  t17 = await startCarrierServer(seventeenTrackEcho);
  shopify = await startFakeShopify();
  identitySecret = (await webchatIdentitySecret('demo', secrets, { rotate: true }))!;
  const placed = new Date(Date.now() - 2 * 86_400_000).toISOString();
  shopify.stores[SHOPIFY_TOKEN] = {
    orders: [
      // € 219.90 ≈ $237: above the $200 rule.
      { ...shopifyOrder(), name: '#2042', createdAt: placed, customer: { id: 'gid://shopify/Customer/9000001', email: 'big@buyer.test' } },
      {
        ...shopifyOrder(),
        id: 'gid://shopify/Order/5961352429699',
        name: '#2043',
        createdAt: placed,
        totalPriceSet: { shopMoney: { amount: '39.00', currencyCode: 'EUR' } },
        customer: { id: 'gid://shopify/Customer/9000002', email: 'small@buyer.test' },
        fulfillments: [
          { status: 'SUCCESS', displayStatus: 'IN_TRANSIT', trackingInfo: [{ number: 'LX246813576CN', company: 'China Post' }] },
        ],
      },
    ],
    customers: [],
  };
  // The seller authorized the app once (OAuth): its tokens are in MongoDB, sealed.
  await new LazadaApiClient({
    appKey: LAZADA_KEY,
    appSecret: LAZADA_SECRET,
    tokens: createLazadaTokenStore(secrets),
    apiUrl: lazada.url,
    authUrl: lazada.url,
    log: () => {},
  }).authorize(lazada.authCode(SELLER, 'th'));
  const lazadaOrder = (id: number, buyer: string, price: string, tracking: string) => {
    lazada.orders.push({
      order_id: id,
      order_number: id,
      seller_id: SELLER,
      price,
      created_at: lazadaDate(2),
      updated_at: lazadaDate(1),
      statuses: ['shipped'],
      address_shipping: { country: 'Thailand', city: 'Bangkok' },
    });
    lazada.orderItems[String(id)] = [
      {
        order_id: id,
        order_item_id: id * 10,
        buyer_id: buyer,
        sku: 'SHIRT-W-M',
        name: 'Linen shirt, white',
        item_price: price,
        paid_price: price,
        currency: 'THB',
        status: 'shipped',
        tracking_code: tracking,
        shipment_provider: 'Flash Express',
      },
    ];
  };
  lazadaOrder(500000001, 'lz-big', '7500.00', 'TH0000000011A');
  lazadaOrder(500000002, 'lz-small', '990.00', 'TH0000000012B');

  const config = loadConfig({
    SORA_CHANNELS: 'webchat,lazada,email,line',
    SORA_LAZADA_APP_KEY: LAZADA_KEY,
    SORA_LAZADA_APP_SECRET: LAZADA_SECRET,
    SORA_LAZADA_SELLERS: `${SELLER}:demo:th`,
    SORA_LAZADA_API_URL: lazada.url,
    SORA_LAZADA_AUTH_URL: lazada.url,
    SORA_LAZADA_PULL_INTERVAL: '0',
    SORA_EMAIL_ACCOUNTS: JSON.stringify([mail.account('demo')]),
    SORA_EMAIL_POLL_INTERVAL: '5s',
    SORA_LINE_CHANNELS: `demo:${LINE_BOT.secret}:${LINE_BOT.accessToken}`,
    SORA_LINE_API_URL: line.url,
    SORA_SHOPIFY_STORES: 'sora-e2e.myshopify.com:demo',
    SORA_SHOPIFY_ACCESS_TOKENS: `sora-e2e.myshopify.com=${SHOPIFY_TOKEN}`,
    SORA_SHOPIFY_API_URL: shopify.url,
    SORA_17TRACK_API_KEY: 'k',
    SORA_17TRACK_BASE_URL: t17.url,
    SORA_LOG_LEVEL: 'warn',
  });
  app = await startApp({
    config,
    secrets,
    mongoUri: inject('mongoUri'),
    temporal: { address: inject('temporalAddress'), namespace: 'default' },
    gatewayPort: 0,
    relayIntervalMs: 600_000,
  });
  const entry = await FaqEntryModel.findOne({ shopId: 'demo', intent: 'shipping_time_cost', question: QUESTION }).lean();
  faqAnswer = (entry!.answers as unknown as Record<string, string>).en!;
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([lazada?.close(), line?.close(), mail?.close(), t17?.close(), shopify?.close()]);
  await disconnectMongo();
});

describe('SORA_CHANNELS=webchat,lazada,email,line with the stand-ins', () => {
  it('starts exactly the four configured channels', () => {
    expect(
      app.registry
        .all()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['email', 'lazada', 'line', 'webchat']);
  });

  it('a buyer on each channel gets the same FAQ answer', async () => {
    expect(faqAnswer).toBeTruthy();
    // Web chat: session, POST, the reply on the event stream.
    const session = await webchatSession(app.gateway.url, 'demo');
    const sse = openSse(`${app.gateway.url}/webchat/demo/events`, session.auth);
    await sse.opened;
    expect((await webchatPost(app.gateway.url, session, { messageId: 'e2e-1', text: QUESTION })).status).toBe(202);
    // Lazada Chat: the platform's signed push.
    const session1 = `${SELLER}_2_lz-faq_1_103`;
    const pushed = lazada.addMessage({
      session_id: session1,
      from_account_id: 'lz-faq',
      to_account_id: SELLER,
      content: JSON.stringify({ txt: QUESTION }),
    });
    expect(await lazada.push(`${app.gateway.url}/webhooks/lazada`, SELLER, pushed)).toBe(200);
    // Email: a mail in the shop's inbox (IMAP IDLE tells the adapter).
    mail.deliver(await buyerMail({ from: 'Nok <nok@buyer.test>', to: mail.address, subject: 'Shipping', text: QUESTION }));
    // LINE: a signed webhook event.
    expect(await line.deliver(app.gateway.url, LINE_BOT, line.textEvent(LINE_BOT, 'Ue2ebuyer000000000000000000000001', QUESTION))).toBe(
      200,
    );

    const webchat = await eventually(() => sse.events.find((e) => e.event === 'message'), 60_000, 'the web chat reply');
    sse.close();
    const answers = {
      webchat: JSON.parse(webchat.data).text as string,
      lazada: await eventually(() => lazada.textsIn(session1)[0], 60_000, 'the Lazada reply'),
      email: (await eventually(() => mail.sentTo('nok@buyer.test')[0], 60_000, 'the email reply')).parsed.text!.trim(),
      line: await eventually(() => line.textsTo('Ue2ebuyer000000000000000000000001')[0], 60_000, 'the LINE reply'),
    };
    expect(answers).toEqual({ webchat: faqAnswer, lazada: faqAnswer, email: faqAnswer, line: faqAnswer });
  });

  const askOnLazada = (buyer: string, text: string) =>
    lazada.push(
      `${app.gateway.url}/webhooks/lazada`,
      SELLER,
      lazada.addMessage({
        session_id: `${SELLER}_2_${buyer}_1_103`,
        from_account_id: buyer,
        to_account_id: SELLER,
        content: JSON.stringify({ txt: text }),
      }),
    );

  it("a Lazada order's parcel feeds the tracking answer", async () => {
    expect(await askOnLazada('lz-small', 'Where is my parcel?')).toBe(200);
    await eventually(() => t17.requests.some((r) => r.body.includes('TH0000000012B')), 60_000, 'the tracking lookup of the Lazada parcel');
    const reply = await eventually(() => lazada.textsIn(`${SELLER}_2_lz-small_1_103`)[0], 60_000, 'the tracking reply');
    expect(reply).toMatch(/customs clearance in Bangkok/);
  });

  it('a Lazada order above $200 hands the conversation to a human', async () => {
    expect(await askOnLazada('lz-big', 'Where is my parcel?')).toBe(200);
    const handle = app.client.workflow.getHandle(`conv:demo:lazada:lz-big`);
    const s = await eventually(
      async () => {
        const snap = await handle.query(contract.snapshot);
        return snap.handoffReason ? snap : null;
      },
      60_000,
      'the handoff',
    );
    expect(s).toMatchObject({ handoffReason: 'order_value', orderValueUsd: 210, status: 'waiting_agent' });
  });

  // A customer signed in on the store: the widget's session carries their id, signed by the store.
  const customer = (id: string) =>
    webchatSession(app.gateway.url, 'demo', { customerId: id, customerHash: customerHash(identitySecret, id) });

  it("a Shopify order's fulfillment feeds the tracking answer (a signed-in store customer on web chat)", async () => {
    const s = await customer('9000002');
    const sse = openSse(`${app.gateway.url}/webchat/demo/events`, s.auth);
    await sse.opened;
    expect((await webchatPost(app.gateway.url, s, { messageId: 'shopify-1', text: 'Where is my order #2043?' })).status).toBe(202);
    const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 60_000, 'the reply');
    sse.close();
    expect(JSON.parse(ev.data).text).toMatch(/customs clearance in Bangkok/);
    expect(t17.requests.some((r) => r.body.includes('LX246813576CN'))).toBe(true);
    expect(shopify.requests.every((r) => r.token === SHOPIFY_TOKEN)).toBe(true);
  });

  it('a Shopify order above $200 hands the conversation to a human', async () => {
    const s = await customer('9000001');
    expect((await webchatPost(app.gateway.url, s, { messageId: 'shopify-2', text: 'Where is my order #2042?' })).status).toBe(202);
    const handle = app.client.workflow.getHandle(conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: '9000001' }));
    const snap = await eventually(
      async () => {
        const x = await handle.query(contract.snapshot);
        return x.handoffReason ? x : null;
      },
      60_000,
      'the handoff',
    );
    expect(snap).toMatchObject({ handoffReason: 'order_value', orderValueUsd: 237.49, status: 'waiting_agent' });
  });
});
