/**
 * TikTok Shop order sync: the documented Order API payloads (test/fixtures/tiktok/order-*.json)
 * mapped into orders; the source talks to the local Partner API stand-in (test/fakes/tiktok-partner.ts),
 * which re-checks every signature; lookupBuyerFacts syncs stale buyers, respects the max age,
 * falls back to stored orders on errors and timeouts; and a synced order above $200 hands the
 * TikTok conversation to a human through the real workflow.
 */
import { readFileSync } from 'node:fs';
import * as contract from '../workflows/contract.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeLookupBuyerFacts } from '../activities/commerce/buyer-facts.js';
import { fxRates } from '../activities/commerce/orders/fx.js';
import { upsertOrder } from '../activities/commerce/orders/store.js';
import { mapTiktokOrder, type TiktokOrder } from '../activities/commerce/orders/tiktok-map.js';
import { TiktokOrderSource, tiktokOrderSource } from '../activities/commerce/orders/tiktok-source.js';
import { loadConfig } from '../infra/config/index.js';
import { TiktokAdapter } from '../bots/tiktok/adapter.js';
import { PartnerApiClient } from '../infra/platforms/tiktok/partner-api.js';
import { createTiktokTokenStore } from '../models/tiktok-token.js';
import { webhookSignature } from '../infra/platforms/tiktok/signing.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { OrderModel } from '../models/order.js';
import { ShopModel } from '../models/shop.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { conversationConfig } from '../temporal.config.js';
import { initialState } from '../workflows/conversation/lifecycle.js';
import { handoffReason } from '../workflows/handoff-rules.js';
import { startFakeTiktok, type FakeTiktok } from './fakes/tiktok-partner.js';
import { eventually, testSecrets, useFreshDatabase } from './setup/helpers.js';

/** The master key the seller tokens are sealed with (infra/secrets). */
const secrets = testSecrets();

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/tiktok/${name}`, import.meta.url), 'utf8'));
const detailOrder = () => fixture('order-detail-response.json').data.orders[0] as TiktokOrder & Record<string, unknown>;
const searchOrder = () => fixture('order-search-response.json').data.orders[0] as TiktokOrder & Record<string, unknown>;
const rates = fxRates({}); // built-in: GBP 1.27
const daysAgo = (d: number) => Math.floor(Date.now() / 1000) - d * 86_400;

describe('TikTok order mapping (documented Get Order Detail / Get Order List payloads)', () => {
  it('groups one-unit line items by SKU, converts payment.total_amount to USD, takes region, parcels, buyer and status', () => {
    const r = mapTiktokOrder(detailOrder(), rates, { tiktok: 'im-1' });
    expect(r).toEqual({
      orderNumber: '576461413038785752',
      externalId: '576461413038785752',
      buyerIds: { tiktok: 'im-1' },
      platformBuyerId: '7021436810468230477',
      items: [{ sku: 'red_crochet_xl', name: "Women's Winter Crochet Clothes", price: 89.99, quantity: 2 }],
      currency: 'GBP',
      total: 189.99,
      totalUsd: 241.29, // 189.99 × 1.27
      status: 'in_transit',
      country: 'GB',
      placedAt: new Date(1619611561 * 1000),
      shipments: [{ trackingNumber: 'JX12345', carrier: 'TT Virtual express' }],
      source: 'tiktok',
    });
    const s = mapTiktokOrder(searchOrder(), rates);
    expect(s).toMatchObject({ items: [{ sku: '2729382476852921999', price: 12, quantity: 1 }], total: 14.99, totalUsd: 19.04 });
    expect(s.status).toBe('awaiting_shipment');
    expect(s.shipments).toEqual([]); // no tracking number yet
  });

  it('refuses an order without a currency or with one that has no USD rate', () => {
    const o = detailOrder();
    o.payment = { ...o.payment, currency: 'XYZ' };
    expect(() => mapTiktokOrder(o, rates)).toThrow('TikTok order 576461413038785752: no USD rate for XYZ');
    o.payment = { total_amount: '1' };
    o.line_items = [];
    expect(() => mapTiktokOrder(o, rates)).toThrow(/no currency/);
  });
});

const APP_KEY = 'orders-app-key';
const APP_SECRET = 'orders-app-secret';
const TT_SHOP = '7494049642642441621';
const CIPHER = 'GB_cipher_orders';
const IM_BUYER = '707885565181165594';
const USER_ID = '7021436810468230477';
const CONV = '710688832392260838';
const settings = { maxAgeMs: 10 * 60_000, timeoutMs: 3000 };

describe('TikTok order source and lookupBuyerFacts', () => {
  let fake: FakeTiktok;
  let source: TiktokOrderSource;
  const logs: string[] = [];
  const log = (m: string, f?: Record<string, unknown>) => logs.push(`${m} ${JSON.stringify(f ?? {})}`);
  const client = (secret = APP_SECRET) =>
    new PartnerApiClient({
      appKey: APP_KEY,
      appSecret: secret,
      tokens: createTiktokTokenStore(secrets),
      apiUrl: fake.url,
      authUrl: fake.url,
      log,
    });
  const input = { shopId: 'shop-t', channel: 'tiktok', buyerId: IM_BUYER, orderNumbers: [] as string[] };

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_tiktok');
    await ShopModel.create({ shopId: 'shop-t', name: 'Shop T' });
    fake = await startFakeTiktok(APP_KEY, APP_SECRET);
    await client().authorize(
      fake.authCode({
        openId: 'seller-o',
        name: 'Orders seller',
        shops: [{ id: TT_SHOP, name: 'Orders seller', region: 'GB', cipher: CIPHER }],
      }),
    );
    source = new TiktokOrderSource(client(), { shops: { 'shop-t': [TT_SHOP] }, rates, log });
    fake.conversations.push(
      { id: 'other-conv', messages: [], participants: [{ im_user_id: 'im-x', user_id: 'u-x', role: 'BUYER' }] },
      {
        id: CONV,
        messages: [],
        participants: [
          { im_user_id: 'shop-im-1', user_id: '', role: 'SHOP' },
          { im_user_id: IM_BUYER, user_id: USER_ID, role: 'BUYER' },
        ],
      },
    );
    fake.orders[CIPHER] = [
      { ...detailOrder(), create_time: daysAgo(3) },
      { ...searchOrder(), create_time: daysAgo(1) },
      { ...detailOrder(), id: '576461413038780000', user_id: 'someone-else', create_time: daysAgo(2) },
      { ...searchOrder(), id: '576461413038770000', create_time: daysAgo(400) }, // older than the 90-day window
    ];
    await BuyerModel.create({
      shopId: 'shop-t',
      channel: 'tiktok',
      buyerId: IM_BUYER,
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
      replyTo: { tiktokShopId: TT_SHOP, conversationId: CONV },
    });
  });
  afterAll(async () => {
    await fake?.close();
    await disconnectMongo();
  });

  it("syncs the buyer's recent orders (signed search by buyer_user_id) and the >$200 one triggers the handoff rule", async () => {
    const lookup = makeLookupBuyerFacts([source], settings, log);
    const facts = await lookup(input);
    expect(facts).toMatchObject({ orderValueUsd: 241.29, sync: 'synced' });
    expect(facts.ordersFound.sort()).toEqual(['576461413038785752', '576461413038785755']);

    // the buyer's user_id came from the conversation's participants and is kept
    expect((await BuyerModel.findOne({ buyerId: IM_BUYER }).lean())?.platformUserId).toBe(USER_ID);
    const search = fake.orderRequests.filter((r) => r.path === '/order/202309/orders/search');
    expect(search).toHaveLength(1);
    expect(search[0]!.query).toMatchObject({ page_size: '50', sort_field: 'create_time', sort_order: 'DESC', shop_cipher: CIPHER });
    expect(search[0]!.body).toMatchObject({ buyer_user_id: USER_ID });
    expect((search[0]!.body as { create_time_ge: number }).create_time_ge).toBeCloseTo(daysAgo(90), -2);
    // every Open API call passed the fake's own signature check
    expect(fake.requests.every((r) => r.status === 200 && r.code === 0)).toBe(true);

    const stored = await OrderModel.findOne({ orderNumber: '576461413038785752' }).lean();
    expect(stored).toMatchObject({ source: 'tiktok', externalId: '576461413038785752', totalUsd: 241.29, platformBuyerId: USER_ID });
    expect(stored!.buyerIds).toEqual({ tiktok: IM_BUYER });
    expect(stored!.syncedAt).toBeInstanceOf(Date);
    expect(await OrderModel.countDocuments({ orderNumber: { $in: ['576461413038780000', '576461413038770000'] } })).toBe(0);

    const st = initialState(0);
    st.orderValueUsd = facts.orderValueUsd;
    expect(handoffReason(st, { complaint: false, humanRequest: false, understood: true }, conversationConfig())).toBe('order_value');
  });

  it('does not call TikTok again within SORA_ORDER_SYNC_MAX_AGE_MIN; after it, picks up changes', async () => {
    const lookup = makeLookupBuyerFacts([source], settings, log);
    const before = fake.orderRequests.length;
    expect(await lookup(input)).toMatchObject({ orderValueUsd: 241.29, sync: 'fresh' });
    expect(fake.orderRequests.length).toBe(before);

    fake.orders[CIPHER]![0]!.payment = { ...detailOrder().payment, total_amount: '120.00' };
    await BuyerModel.updateOne({ buyerId: IM_BUYER }, { $set: { 'ordersSyncedBy.tiktok': new Date(Date.now() - 11 * 60_000) } });
    expect(await lookup(input)).toMatchObject({ orderValueUsd: 152.4, sync: 'synced' }); // 120 × 1.27
    expect(fake.orderRequests.length).toBe(before + 1);
    expect((await OrderModel.findOne({ orderNumber: '576461413038785752' }).lean())?.total).toBe(120);
  });

  it('fetches an order number a buyer on another channel mentions (Get Order Detail by ids)', async () => {
    fake.orders[CIPHER]!.push({ ...detailOrder(), id: '576461413038799999', user_id: 'u-web', create_time: daysAgo(5) });
    const lookup = makeLookupBuyerFacts([source], settings, log);
    const facts = await lookup({ shopId: 'shop-t', channel: 'webchat', buyerId: 'web-1', orderNumbers: ['576461413038799999'] });
    expect(facts).toMatchObject({ orderValueUsd: 241.29, ordersFound: ['576461413038799999'], sync: 'synced' });
    expect(fake.orderRequests.at(-1)).toMatchObject({ method: 'GET', path: '/order/202309/orders', query: { ids: '576461413038799999' } });
    // a mention of an imported order does not go to TikTok
    await upsertOrder('shop-t', {
      orderNumber: '5555555555',
      externalId: '5555555555',
      buyerIds: {},
      items: [],
      currency: 'USD',
      total: 10,
      totalUsd: 10,
      status: 'paid',
      country: null,
      placedAt: new Date(),
      shipments: [],
      source: 'import',
    });
    const n = fake.orderRequests.length;
    await lookup({ shopId: 'shop-t', channel: 'webchat', buyerId: 'web-1', orderNumbers: ['5555555555'] });
    expect(fake.orderRequests.length).toBe(n);
  });

  it('falls back to the stored orders, and logs why, when TikTok refuses, the signature is wrong or the sync times out', async () => {
    const stale = () => BuyerModel.updateOne({ buyerId: IM_BUYER }, { $set: { 'ordersSyncedBy.tiktok': new Date(0) } });
    const lookup = makeLookupBuyerFacts([source], settings, log);

    await stale();
    fake.failNext({ status: 500, body: { code: 36009003, message: 'Internal error', data: null } });
    expect(await lookup(input)).toMatchObject({ orderValueUsd: 152.4, sync: 'failed' });
    expect(logs.at(-1)).toMatch(/^order sync failed; using stored orders .*"error":"TikTok Shop API 36009003 \(HTTP 500\): Internal error/);

    await stale();
    const forged = new TiktokOrderSource(client('not-the-secret'), { shops: { 'shop-t': [TT_SHOP] }, rates, log });
    expect(await makeLookupBuyerFacts([forged], settings, log)(input)).toMatchObject({ orderValueUsd: 152.4, sync: 'failed' });
    expect(fake.requests.at(-1)).toMatchObject({ status: 401, code: 106001 });
    expect(logs.at(-1)).toContain('106001');

    await stale();
    fake.orderDelayMs = 1500;
    try {
      const t0 = Date.now();
      const facts = await makeLookupBuyerFacts([source], { maxAgeMs: settings.maxAgeMs, timeoutMs: 300 }, log)(input);
      expect(Date.now() - t0).toBeLessThan(1200);
      expect(facts).toMatchObject({ orderValueUsd: 152.4, sync: 'failed' });
      expect(logs.at(-1)).toContain('order sync took longer than 300 ms');
    } finally {
      fake.orderDelayMs = 0;
    }
  });

  it('is configured from the TikTok channel variables, and off without them', () => {
    expect(loadConfig({}).tiktok).toBeUndefined();
    expect(tiktokOrderSource(loadConfig({}).tiktok, { secrets })).toBeNull();
    const s = tiktokOrderSource(
      loadConfig({
        SORA_TIKTOK_APP_KEY: 'k',
        SORA_TIKTOK_APP_SECRET: 's',
        SORA_TIKTOK_SHOPS: `${TT_SHOP}:shop-t:${CIPHER}`,
      }).tiktok,
      { secrets },
    );
    expect(s?.handles('shop-t')).toBe(true);
    expect(s?.handles('other')).toBe(false);
    expect(() => loadConfig({ SORA_TIKTOK_APP_KEY: 'k', SORA_TIKTOK_APP_SECRET: 's', SORA_TIKTOK_SHOPS: 'bad' })).toThrow(
      /SORA_TIKTOK_SHOPS/,
    );
  });
});

describe('a synced TikTok order above $200 hands the conversation off (real workflow)', () => {
  const GW_KEY = 'orders-gw-key';
  const GW_SECRET = 'orders-gw-secret';
  // Own buyer and message ids: other suites leave conversations of the fixture's buyer running on the
  // shared Temporal server, and a workflow ignores a message id it has already seen.
  const IM_WF = `7078855651811${Date.now() % 100_000}`;
  let gw: FakeTiktok;
  let app: App;

  beforeAll(async () => {
    await useFreshDatabase('sora_orders_tiktok_wf');
    await seedDemoShop();
    gw = await startFakeTiktok(GW_KEY, GW_SECRET);
    const api = new PartnerApiClient({
      appKey: GW_KEY,
      appSecret: GW_SECRET,
      tokens: createTiktokTokenStore(secrets),
      apiUrl: gw.url,
      authUrl: gw.url,
      log: () => {},
    });
    await api.authorize(
      gw.authCode({ openId: 'seller-wf', name: 'Sora Demo Store', shops: [{ id: TT_SHOP, name: 'Demo', region: 'GB', cipher: CIPHER }] }),
    );
    gw.conversations.push({ id: CONV, messages: [], participants: [{ im_user_id: IM_WF, user_id: USER_ID, role: 'BUYER' }] });
    gw.orders[CIPHER] = [{ ...detailOrder(), create_time: daysAgo(2) }];
    app = await startApp({
      secrets,
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new TiktokAdapter({ secrets, appKey: GW_KEY, appSecret: GW_SECRET, shops: { [TT_SHOP]: 'demo' }, apiUrl: gw.url, authUrl: gw.url }),
      ],
      orderSources: [new TiktokOrderSource(api, { shops: { demo: [TT_SHOP] }, rates })],
    });
  });
  afterAll(async () => {
    await app?.stop();
    await gw?.close();
    await disconnectMongo();
  });

  it('the buyer asks where their order is; the sync finds their £189.99 order (≈ $241), it becomes the conversation’s order and a human is called', async () => {
    const event = fixture('new-message-text.json');
    event.data.content = JSON.stringify({ content: 'Where is my parcel?' });
    event.data.sender.im_user_id = IM_WF;
    event.data.message_id = `${IM_WF}01`;
    const body = JSON.stringify(event);
    const res = await fetch(`${app.gateway.url}/webhooks/tiktok`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: webhookSignature(body, GW_KEY, GW_SECRET) },
      body,
    });
    expect(res.status).toBe(200);
    const handle = app.client.workflow.getHandle(`conv:demo:tiktok:${IM_WF}`);
    const s = await eventually(
      async () => {
        const snap = await handle.query(contract.snapshot);
        return snap.handoffReason ? snap : null;
      },
      60_000,
      'handoff',
    );
    expect(s).toMatchObject({ handoffReason: 'order_value', orderValueUsd: 241.29, status: 'waiting_agent' });
    expect(await OrderModel.findOne({ shopId: 'demo', orderNumber: '576461413038785752' }).lean()).toMatchObject({ source: 'tiktok' });
    expect(gw.orderRequests.some((r) => r.path === '/order/202309/orders/search')).toBe(true);
  });
});
