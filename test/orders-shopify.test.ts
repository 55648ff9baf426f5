/**
 * Shopify orders: the documented Admin GraphQL Order shape (test/fixtures/shopify/order-node.json)
 * mapped into orders; the source asks the local Admin API stand-in (test/fakes/shopify-admin.ts)
 * by order name, by the verified web chat customer (Shopify customer id or email) and by the
 * WhatsApp number; and, through the real workflow on web chat, a verified customer's € order above
 * $200 found in Shopify hands the conversation off while another customer's order's fulfillment
 * tracking number is tracked through the carrier stand-in (17TRACK API) and answered.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as contract from '../workflows/contract.js';
import { makeLookupBuyerFacts } from '../activities/commerce/buyer-facts.js';
import { fxRates } from '../activities/commerce/orders/fx.js';
import { mapShopifyOrder, shopifyStatus, type ShopifyOrder } from '../activities/commerce/orders/shopify-map.js';
import { ShopifyOrderSource, shopifyBuyerKey, shopifyOrderSource } from '../activities/commerce/orders/shopify-source.js';
import { WebchatAdapter } from '../bots/webchat/adapter.js';
import { customerHash } from '../bots/webchat/identity.js';
import { conversationWorkflowId } from '../bots/channel.js';
import { loadConfig } from '../infra/config/index.js';
import { ShopifyAdminClient } from '../infra/platforms/shopify/admin-graphql.js';
import { disconnectMongo } from '../models/connection.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { webchatIdentitySecret } from '../models/webchat-identity-secret.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startFakeShopify, type FakeShopify } from './fakes/shopify-admin.js';
import { startCarrierServer, seventeenTrackEcho, type CarrierServer } from './kit/carrier-server.js';
import { eventually, testSecrets, useFreshDatabase, webchatPost, webchatSession } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

const secrets = testSecrets();
const rates = fxRates({}); // built-in: EUR 1.08
const node = () => JSON.parse(readFileSync(new URL('./fixtures/shopify/order-node.json', import.meta.url), 'utf8')) as ShopifyOrder;
const TOKEN = 'shpat_test_0123456789abcdef';
const STORE = { domain: 'sora-demo.myshopify.com', accessToken: TOKEN };
const CUSTOMER = '7392019283746';
const recent = () => new Date(Date.now() - 2 * 86_400_000).toISOString();

describe('Shopify order mapping (documented Order shape)', () => {
  it('name without #, line items at their discounted unit price, € total in USD, tracking from fulfillments, status, country, customer', () => {
    expect(mapShopifyOrder(node(), rates, { webchat: CUSTOMER })).toEqual({
      orderNumber: '1042',
      externalId: 'gid://shopify/Order/5961352429601',
      buyerIds: { webchat: CUSTOMER },
      platformBuyerId: `gid://shopify/Customer/${CUSTOMER}`,
      items: [
        { sku: 'JKT-WOOL-M', name: 'Wool jacket - M', price: 189.9, quantity: 1 },
        { sku: 'SCARF-RED', name: 'Scarf - Red', price: 12.5, quantity: 2 },
      ],
      currency: 'EUR',
      total: 219.9,
      totalUsd: 237.49, // 219.90 × 1.08
      status: 'in_transit',
      country: 'ES',
      placedAt: new Date('2026-11-28T09:14:51Z'),
      shipments: [{ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' }],
      source: 'shopify',
    });
  });

  it('statuses: cancelled, refunded, unpaid, awaiting shipment, shipped, delivered', () => {
    const o = node();
    expect(shopifyStatus({ ...o, cancelledAt: '2026-11-29T00:00:00Z' })).toBe('cancelled');
    expect(shopifyStatus({ ...o, displayFinancialStatus: 'REFUNDED' })).toBe('refunded');
    expect(shopifyStatus({ ...o, displayFinancialStatus: 'PENDING' })).toBe('unpaid');
    expect(shopifyStatus({ ...o, displayFulfillmentStatus: 'UNFULFILLED', fulfillments: [] })).toBe('awaiting_shipment');
    expect(shopifyStatus({ ...o, fulfillments: [{ status: 'SUCCESS', displayStatus: 'FULFILLED', trackingInfo: [] }] })).toBe('shipped');
    expect(shopifyStatus({ ...o, fulfillments: [{ status: 'SUCCESS', displayStatus: 'DELIVERED', trackingInfo: [] }] })).toBe('delivered');
  });

  it('refuses an order whose currency has no USD rate', () => {
    const o = node();
    o.totalPriceSet = { shopMoney: { amount: '10.00', currencyCode: 'XYZ' } };
    expect(() => mapShopifyOrder(o, rates)).toThrow('Shopify order #1042: no USD rate for XYZ');
  });
});

describe('the Shopify order source against the Admin API stand-in', () => {
  let fake: FakeShopify;
  let source: ShopifyOrderSource;
  beforeAll(async () => {
    fake = await startFakeShopify();
    fake.stores[TOKEN] = {
      orders: [{ ...node(), createdAt: recent() }],
      customers: [{ id: `gid://shopify/Customer/${CUSTOMER}`, email: 'maria.lopez@example.com', phone: '+34612345678' }],
    };
    source = new ShopifyOrderSource(new ShopifyAdminClient({ apiUrl: fake.url }), { shops: { 'shop-s': [STORE] }, rates, log: () => {} });
  });
  afterAll(() => fake?.close());

  it('who can be looked up: verified web chat ids (customer id or email), WhatsApp numbers, email senders; never anonymous visitors', () => {
    expect(shopifyBuyerKey({ channel: 'webchat', buyerId: CUSTOMER })).toEqual({ customerId: CUSTOMER });
    expect(shopifyBuyerKey({ channel: 'webchat', buyerId: 'Maria.Lopez@example.com' })).toEqual({ email: 'maria.lopez@example.com' });
    expect(shopifyBuyerKey({ channel: 'webchat', buyerId: 'anon-AbCdEf0123456789' })).toBeNull();
    expect(shopifyBuyerKey({ channel: 'whatsapp', buyerId: '34612345678' })).toEqual({ phone: '+34612345678' });
    expect(shopifyBuyerKey({ channel: 'whatsapp', buyerId: '34612345678@s.whatsapp.net' })).toEqual({ phone: '+34612345678' });
    expect(shopifyBuyerKey({ channel: 'whatsapp', buyerId: '123456789012345@lid' })).toBeNull();
    expect(shopifyBuyerKey({ channel: 'telegram', buyerId: '12345' })).toBeNull();
  });

  it('finds an order by its name, the buyer’s orders by customer id, email and phone, with the token on every request', async () => {
    expect(await source.orderByNumber('shop-s', '1042')).toMatchObject({ orderNumber: '1042', buyerIds: {}, totalUsd: 237.49 });
    expect(await source.orderByNumber('shop-s', '9999')).toBeNull();
    expect(fake.requests.at(-1)!.variables).toEqual({ query: 'name:"#9999"', first: 5 });
    const byId = await source.recentOrdersForBuyer('shop-s', { channel: 'webchat', buyerId: CUSTOMER });
    expect(byId?.map((o) => [o.orderNumber, o.buyerIds])).toEqual([['1042', { webchat: CUSTOMER }]]);
    expect(fake.requests.at(-1)!.variables.query).toMatch(new RegExp(`^customer_id:${CUSTOMER} created_at:>=\\d{4}-\\d\\d-\\d\\d$`));
    expect((await source.recentOrdersForBuyer('shop-s', { channel: 'webchat', buyerId: 'maria.lopez@example.com' }))?.length).toBe(1);
    expect((await source.recentOrdersForBuyer('shop-s', { channel: 'webchat', buyerId: 'other@example.com' }))?.length).toBe(0);
    const byPhone = await source.recentOrdersForBuyer('shop-s', { channel: 'whatsapp', buyerId: '34612345678' });
    expect(byPhone?.map((o) => o.buyerIds)).toEqual([{ whatsapp: '34612345678' }]);
    expect(await source.recentOrdersForBuyer('shop-s', { channel: 'webchat', buyerId: 'anon-AbCdEf0123456789' })).toBeNull();
    expect(fake.requests.every((r) => r.token === TOKEN && r.path === '/admin/api/2025-01/graphql.json')).toBe(true);
  });

  it('a wrong token or a GraphQL error fails with a clear message naming the store (never the token)', async () => {
    const forged = new ShopifyOrderSource(new ShopifyAdminClient({ apiUrl: fake.url }), {
      shops: { 'shop-s': [{ ...STORE, accessToken: 'shpat_wrong_token_000' }] },
      rates,
    });
    const err = await forged.orderByNumber('shop-s', '1042').catch((e: Error) => e);
    expect(String(err)).toMatch(/Shopify Admin API \(sora-demo\.myshopify\.com\) \(HTTP 401\): \[API\] Invalid API key/);
    expect(String(err)).not.toContain('shpat_');
    fake.failNext({ status: 200, body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }] } });
    expect(String(await source.orderByNumber('shop-s', '1042').catch((e: Error) => e))).toMatch(/THROTTLED \(HTTP 200\): Throttled/);
  });

  it('is configured from SORA_SHOPIFY_STORES + SORA_SHOPIFY_ACCESS_TOKENS, off without them, and names a store without a token', () => {
    expect(loadConfig({}).shopify).toBeUndefined();
    expect(shopifyOrderSource(loadConfig({}).shopify)).toBeNull();
    const c = loadConfig({
      SORA_SHOPIFY_STORES: 'sora-demo.myshopify.com:shop-s',
      SORA_SHOPIFY_ACCESS_TOKENS: `sora-demo.myshopify.com=${TOKEN}`,
      SORA_SHOPIFY_API_URL: fake.url,
    });
    expect(c.shopify).toEqual({
      stores: [{ domain: 'sora-demo.myshopify.com', shopId: 'shop-s', accessToken: TOKEN }],
      apiVersion: '2025-01',
      apiUrl: fake.url,
    });
    expect(shopifyOrderSource(c.shopify)?.handles('shop-s')).toBe(true);
    expect(() => loadConfig({ SORA_SHOPIFY_STORES: 'sora-demo.myshopify.com:shop-s' })).toThrow(
      /SORA_SHOPIFY_ACCESS_TOKENS: has no token for sora-demo\.myshopify\.com/,
    );
    expect(() => loadConfig({ SORA_SHOPIFY_STORES: 'https://x.com:shop' })).toThrow(
      /SORA_SHOPIFY_STORES: .*not an entry|not a store domain/,
    );
  });
});

describe('Shopify orders in a web chat conversation (real workflow)', () => {
  let fake: FakeShopify;
  let carrier: CarrierServer;
  let app: App;
  let secret: string;
  const uniq = Date.now() % 1_000_000;
  const BIG = `${uniq}01`; // the € 219.90 order's customer
  const SMALL = `${uniq}02`; // another customer, a € 39 order with a parcel
  const TRACKING = 'LX246813576CN';

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_shopify_wf');
    await seedDemoShop();
    secret = (await webchatIdentitySecret('demo', secrets, { rotate: true }))!;
    fake = await startFakeShopify();
    fake.stores[TOKEN] = {
      orders: [
        { ...node(), createdAt: recent(), customer: { id: `gid://shopify/Customer/${BIG}`, email: 'big@example.com' } },
        {
          ...node(),
          id: 'gid://shopify/Order/5961352429602',
          name: '#1043',
          createdAt: recent(),
          totalPriceSet: { shopMoney: { amount: '39.00', currencyCode: 'EUR' } },
          customer: { id: `gid://shopify/Customer/${SMALL}`, email: 'small@example.com' },
          fulfillments: [{ status: 'SUCCESS', displayStatus: 'IN_TRANSIT', trackingInfo: [{ number: TRACKING, company: 'China Post' }] }],
        },
      ],
      customers: [],
    };
    carrier = await startCarrierServer(seventeenTrackEcho);
    app = await startApp({
      secrets,
      config: loadConfig({ SORA_17TRACK_API_KEY: 'k', SORA_17TRACK_BASE_URL: carrier.url }),
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [new WebchatAdapter({ pollMs: 200, secrets })], // the identity secret is sealed with the test key
      carrierKeyAudit: false,
      importWorker: false,
      orderSources: [new ShopifyOrderSource(new ShopifyAdminClient({ apiUrl: fake.url }), { shops: { demo: [STORE] }, rates })],
    });
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await carrier?.close();
    await disconnectMongo();
  });

  const verified = (customerId: string) =>
    webchatSession(app.gateway.url, 'demo', { customerId, customerHash: customerHash(secret, customerId) });

  it('a verified customer asks about #1042: Shopify’s €219.90 order (≈ $237) is theirs and a human is called ($200 rule)', async () => {
    const s = await verified(BIG);
    expect(s.kind).toBe('verified');
    expect((await webchatPost(app.gateway.url, s, { messageId: 'q1', text: 'Where is my order #1042?' })).status).toBe(202);
    const handle = app.client.workflow.getHandle(conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: BIG }));
    const snap = await eventually(
      async () => {
        const x = await handle.query(contract.snapshot);
        return x.handoffReason ? x : null;
      },
      60_000,
      'handoff',
    );
    expect(snap).toMatchObject({ handoffReason: 'order_value', orderValueUsd: 237.49, status: 'waiting_agent' });
    const stored = await OrderModel.findOne({ shopId: 'demo', orderNumber: '1042' }).lean();
    expect(stored).toMatchObject({ source: 'shopify', totalUsd: 237.49 });
    expect(stored?.buyerIds).toEqual({ webchat: BIG });
    expect(fake.requests.some((r) => String(r.variables.query).startsWith(`customer_id:${BIG}`))).toBe(true);
  });

  it('another verified customer asks where their parcel is: the Shopify fulfillment’s tracking number is tracked and answered', async () => {
    const s = await verified(SMALL);
    const sse = openSse(`${app.gateway.url}/webchat/demo/events`, s.auth);
    await sse.opened;
    expect((await webchatPost(app.gateway.url, s, { messageId: 'q1', text: 'Where is my order #1043?' })).status).toBe(202);
    const ev = await eventually(() => sse.events.find((e) => e.event === 'message'), 60_000, 'the reply');
    sse.close();
    const reply = JSON.parse(ev.data) as { text: string };
    expect(reply.text).toMatch(/customs/i);
    expect(carrier.requests.some((r) => r.body.includes(TRACKING))).toBe(true);
    const snap = await app.client.workflow
      .getHandle(conversationWorkflowId({ shopId: 'demo', channel: 'webchat', buyerId: SMALL }))
      .query(contract.snapshot);
    expect(snap.handoffReason ?? null).toBeNull();
  });

  it('an anonymous visitor naming #1042 is not told about it (not theirs) and Shopify is asked only by number', async () => {
    const s = await webchatSession(app.gateway.url);
    const facts = await makeLookupBuyerFacts([
      new ShopifyOrderSource(new ShopifyAdminClient({ apiUrl: fake.url }), { shops: { demo: [STORE] }, rates }),
    ])({
      shopId: 'demo',
      channel: 'webchat',
      buyerId: s.buyerId,
      orderNumbers: ['1042'],
      ownOrdersOnly: true,
    });
    expect(facts.ordersFound).toEqual([]);
    expect(facts.unavailable?.orderNumbers).toEqual(['1042']);
    expect(await ShopModel.exists({ shopId: 'demo' })).toBeTruthy();
  });
});
