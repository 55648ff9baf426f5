/**
 * Lazada orders: GetOrder / GetOrderItems payloads (test/fixtures/lazada/order-*.json) mapped into
 * orders; the source against the local Open Platform stand-in (test/fakes/lazada-open-platform.ts,
 * which re-checks every signature) through lookupBuyerFacts; and, through the real gateway, worker
 * and workflow, a Lazada order above $200 handing the conversation to a human and a Lazada order's
 * tracking number feeding the tracking answer (17TRACK played by test/kit/carrier-server.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeLookupBuyerFacts } from '../activities/commerce/buyer-facts.js';
import { fxRates } from '../activities/commerce/orders/fx.js';
import { lazadaTime, mapLazadaOrder, type LazadaOrder, type LazadaOrderItem } from '../activities/commerce/orders/lazada-map.js';
import { LazadaOrderSource, lazadaOrderSource } from '../activities/commerce/orders/lazada-source.js';
import { LazadaAdapter } from '../bots/lazada/adapter.js';
import { loadConfig } from '../infra/config/index.js';
import { LazadaApiClient } from '../infra/platforms/lazada/open-api.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { createLazadaTokenStore } from '../models/lazada-token.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { conversationConfig } from '../temporal.config.js';
import { initialState } from '../workflows/conversation/lifecycle.js';
import * as contract from '../workflows/contract.js';
import { handoffReason } from '../workflows/handoff-rules.js';
import { startFakeLazada, type FakeLazada } from './fakes/lazada-open-platform.js';
import { startCarrierServer, seventeenTrackEcho, type CarrierServer } from './kit/carrier-server.js';
import { eventually, testSecrets, useFreshDatabase } from './setup/helpers.js';

const secrets = testSecrets();
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/lazada/${name}`, import.meta.url), 'utf8'));
const order = () => fixture('order-get.json').data as LazadaOrder;
const items = () => fixture('order-items-get.json').data as LazadaOrderItem[];
const rates = fxRates({}); // built-in: THB 0.028
/** Lazada's time format, `days` ago, in Bangkok time. */
const lazadaDate = (days: number) => {
  const d = new Date(Date.now() - days * 86_400_000 + 7 * 3_600_000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} +0700`;
};

describe('Lazada order mapping (GetOrder + GetOrderItems)', () => {
  it('groups one-unit items by SKU and price, converts price to USD, takes parcels, buyer, status and country', () => {
    expect(mapLazadaOrder(order(), items(), rates, { buyerIds: { lazada: '1011822749' } })).toEqual({
      orderNumber: '300034416',
      externalId: '16090',
      buyerIds: { lazada: '1011822749' },
      platformBuyerId: '1011822749',
      items: [{ sku: 'SHIRT-W-M', name: 'Linen shirt, white', price: 3750, quantity: 2 }],
      currency: 'THB',
      total: 7500,
      totalUsd: 210, // 7500 × 0.028
      status: 'in_transit',
      country: 'TH',
      placedAt: new Date('2024-05-02T03:12:13Z'),
      shipments: [{ trackingNumber: 'TH0123456789A', carrier: 'Flash Express' }],
      source: 'lazada',
    });
  });

  it('statuses: least advanced item wins, some shipped = partially shipped, all cancelled = cancelled', () => {
    const two = [
      { ...items()[0]!, status: 'shipped' },
      { ...items()[1]!, status: 'packed', tracking_code: '' },
    ];
    expect(mapLazadaOrder({ ...order(), statuses: ['shipped', 'packed'] }, two, rates).status).toBe('partially_shipped');
    expect(
      mapLazadaOrder(
        { ...order(), statuses: ['pending'] },
        items().map((i) => ({ ...i, status: 'pending' })),
        rates,
      ).status,
    ).toBe('paid');
    expect(
      mapLazadaOrder(
        { ...order(), statuses: ['canceled'] },
        items().map((i) => ({ ...i, status: 'canceled' })),
        rates,
      ).status,
    ).toBe('cancelled');
    expect(
      mapLazadaOrder(
        { ...order(), statuses: ['confirmed'] },
        items().map((i) => ({ ...i, status: 'confirmed' })),
        rates,
      ).status,
    ).toBe('completed');
  });

  it('currency from the seller country when items do not say; refuses an order with no known currency', () => {
    const noCurrency = items().map(({ currency: _c, ...i }) => i);
    expect(mapLazadaOrder({ ...order(), address_shipping: {} }, noCurrency, rates, { sellerCountry: 'my' })).toMatchObject({
      currency: 'MYR',
      country: 'MY',
    });
    expect(() => mapLazadaOrder({ ...order(), address_shipping: {} }, noCurrency, rates)).toThrow(/Lazada order 16090: no currency/);
    expect(lazadaTime('2024-05-02 10:12:13 +0700').toISOString()).toBe('2024-05-02T03:12:13.000Z');
  });
});

const APP_KEY = '100003';
const APP_SECRET = 'orders-lazada-secret';
const SELLER = '200100300';
const BUYER = '1011822749';

/** Seed the stand-in with a seller's order and its items. */
function addOrder(fake: FakeLazada, o: { id: number; buyer: string; price: string; days: number; tracking?: string; status?: string }) {
  fake.orders.push({
    ...order(),
    seller_id: SELLER,
    order_id: o.id,
    order_number: o.id,
    price: o.price,
    created_at: lazadaDate(o.days),
    statuses: [o.status ?? 'shipped'],
  });
  fake.orderItems[String(o.id)] = [
    {
      ...items()[0]!,
      order_id: o.id,
      buyer_id: o.buyer,
      item_price: o.price,
      paid_price: o.price,
      status: o.status ?? 'shipped',
      tracking_code: o.tracking ?? '',
    },
  ];
}

describe('Lazada order source and lookupBuyerFacts', () => {
  let fake: FakeLazada;
  let source: LazadaOrderSource;
  const logs: string[] = [];
  const log = (m: string, f?: Record<string, unknown>) => logs.push(`${m} ${JSON.stringify(f ?? {})}`);
  const settings = { maxAgeMs: 10 * 60_000, timeoutMs: 3000 };

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_lazada');
    await ShopModel.create({ shopId: 'shop-l', name: 'Shop L' });
    fake = await startFakeLazada(APP_KEY, APP_SECRET);
    const api = new LazadaApiClient({
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      tokens: createLazadaTokenStore(secrets),
      apiUrl: fake.url,
      authUrl: fake.url,
      log,
    });
    await api.authorize(fake.authCode(SELLER, 'th'));
    source = new LazadaOrderSource(api, { shops: { 'shop-l': [SELLER] }, rates, log });
    addOrder(fake, { id: 300034416, buyer: BUYER, price: '7500.00', days: 3, tracking: 'TH0123456789A' });
    addOrder(fake, { id: 300034417, buyer: BUYER, price: '990.00', days: 1, status: 'packed' });
    addOrder(fake, { id: 300034418, buyer: 'someone-else', price: '50000.00', days: 2 });
    addOrder(fake, { id: 300034419, buyer: BUYER, price: '100.00', days: 400 }); // older than 90 days
    await BuyerModel.create({
      shopId: 'shop-l',
      channel: 'lazada',
      buyerId: BUYER,
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
      replyTo: { sellerId: SELLER, sessionId: `${SELLER}_2_${BUYER}_1_103` },
    });
  });
  afterAll(async () => {
    await fake?.close();
    await disconnectMongo();
  });

  it("syncs the buyer's recent orders (GetOrders + GetMultipleOrderItems, buyer's only) and the >$200 one triggers the handoff rule", async () => {
    const facts = await makeLookupBuyerFacts(
      [source],
      settings,
      log,
    )({ shopId: 'shop-l', channel: 'lazada', buyerId: BUYER, orderNumbers: [] });
    expect(facts).toMatchObject({ orderValueUsd: 210, sync: 'synced' });
    expect(facts.ordersFound.sort()).toEqual(['300034416', '300034417']);
    const stored = await OrderModel.findOne({ orderNumber: '300034416' }).lean();
    expect(stored).toMatchObject({
      source: 'lazada',
      totalUsd: 210,
      platformBuyerId: BUYER,
      shipments: [{ trackingNumber: 'TH0123456789A', carrier: 'Flash Express' }],
    });
    expect(stored!.buyerIds).toEqual({ lazada: BUYER });
    expect(await OrderModel.countDocuments({ orderNumber: { $in: ['300034418', '300034419'] } })).toBe(0);
    const paths = fake.requests.map((r) => r.path);
    expect(paths).toContain('/orders/get');
    expect(paths).toContain('/orders/items/get');
    expect(fake.requests.every((r) => r.code === '0')).toBe(true); // every call passed the stand-in's signature check
    const st = initialState(0);
    st.orderValueUsd = facts.orderValueUsd;
    expect(handoffReason(st, { complaint: false, humanRequest: false, understood: true }, conversationConfig())).toBe('order_value');
  });

  it('fetches an order number mentioned on another channel (GetOrder + GetOrderItems); unknown numbers are null', async () => {
    const facts = await makeLookupBuyerFacts(
      [source],
      settings,
      log,
    )({ shopId: 'shop-l', channel: 'webchat', buyerId: 'web-1', orderNumbers: ['300034418'] });
    expect(facts).toMatchObject({ orderValueUsd: 1400, ordersFound: ['300034418'] });
    expect(fake.requests.slice(-2).map((r) => r.path)).toEqual(['/order/get', '/order/items/get']);
    expect(await source.orderByNumber('shop-l', '999999999')).toBeNull();
    expect(await source.orderByNumber('shop-l', 'not-a-number')).toBeNull();
  });

  it('is configured from the Lazada variables, and off without them', () => {
    expect(lazadaOrderSource(loadConfig({}).lazada, { secrets })).toBeNull();
    const s = lazadaOrderSource(
      loadConfig({ SORA_LAZADA_APP_KEY: 'k', SORA_LAZADA_APP_SECRET: 's', SORA_LAZADA_SELLERS: `${SELLER}:shop-l:th` }).lazada,
      { secrets },
    );
    expect(s?.handles('shop-l')).toBe(true);
    expect(s?.handles('other')).toBe(false);
  });
});

describe('Lazada orders in the conversation (real workflow)', () => {
  const GW_SELLER = '200100399';
  const stamp = Date.now() % 1_000_000;
  const BIG = `lz-big-${stamp}`;
  const SMALL = `lz-small-${stamp}`;
  let fake: FakeLazada;
  let t17: CarrierServer;
  let app: App;
  const sessionOf = (b: string) => `${GW_SELLER}_2_${b}_1_103`;

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_lazada_wf');
    await seedDemoShop();
    fake = await startFakeLazada(APP_KEY, APP_SECRET);
    t17 = await startCarrierServer(seventeenTrackEcho);
    const api = new LazadaApiClient({
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      tokens: createLazadaTokenStore(secrets),
      apiUrl: fake.url,
      authUrl: fake.url,
      log: () => {},
    });
    await api.authorize(fake.authCode(GW_SELLER, 'th'));
    const add = (id: number, buyer: string, price: string, tracking: string) => {
      fake.orders.push({
        ...order(),
        seller_id: GW_SELLER,
        order_id: id,
        order_number: id,
        price,
        created_at: lazadaDate(2),
        statuses: ['shipped'],
      });
      fake.orderItems[String(id)] = [
        { ...items()[0]!, order_id: id, buyer_id: buyer, item_price: price, paid_price: price, tracking_code: tracking },
      ];
    };
    add(400000001, BIG, '7500.00', 'TH0000000001A');
    add(400000002, SMALL, '990.00', 'TH0000000002B');
    app = await startApp({
      secrets,
      config: loadConfig({ SORA_17TRACK_API_KEY: 'k', SORA_17TRACK_BASE_URL: t17.url, SORA_LOG_LEVEL: 'warn' }),
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new LazadaAdapter({
          secrets,
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          sellers: { [GW_SELLER]: 'demo' },
          apiUrl: fake.url,
          authUrl: fake.url,
          pullIntervalMs: 0,
        }),
      ],
      orderSources: [new LazadaOrderSource(api, { shops: { demo: [GW_SELLER] }, rates })],
    });
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await t17?.close();
    await disconnectMongo();
  });

  const ask = (buyer: string, text: string) =>
    fake.push(
      `${app.gateway.url}/webhooks/lazada`,
      GW_SELLER,
      fake.addMessage({
        session_id: sessionOf(buyer),
        from_account_id: buyer,
        to_account_id: GW_SELLER,
        content: JSON.stringify({ txt: text }),
      }),
    );

  it('a Lazada order of ฿7,500 (≈ $210) becomes the conversation’s order and a human is called', async () => {
    expect(await ask(BIG, 'Where is my parcel?')).toBe(200);
    const handle = app.client.workflow.getHandle(`conv:demo:lazada:${BIG}`);
    const s = await eventually(
      async () => {
        const snap = await handle.query(contract.snapshot);
        return snap.handoffReason ? snap : null;
      },
      60_000,
      'handoff',
    );
    expect(s).toMatchObject({ handoffReason: 'order_value', orderValueUsd: 210, status: 'waiting_agent' });
    expect(await OrderModel.findOne({ shopId: 'demo', orderNumber: '400000001' }).lean()).toMatchObject({ source: 'lazada' });
  });

  it("a Lazada order's tracking number feeds the tracking answer", async () => {
    expect(await ask(SMALL, 'Where is my parcel?')).toBe(200);
    await eventually(() => t17.requests.some((r) => r.body.includes('TH0000000002B')), 60_000, 'the tracking lookup of the Lazada parcel');
    const reply = await eventually(() => fake.textsIn(sessionOf(SMALL))[0], 60_000, 'the tracking reply in the Lazada session');
    expect(reply).toMatch(/customs|Bangkok/i); // the 17TRACK stand-in's latest event: held by customs in Bangkok
    const handle = app.client.workflow.getHandle(`conv:demo:lazada:${SMALL}`);
    expect((await handle.query(contract.snapshot)).handoffReason ?? null).toBeNull();
  });
});
