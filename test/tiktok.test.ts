/**
 * TikTok Shop customer service adapter, focused: request signing and webhook signatures against
 * the documented examples, New message normalization, the Partner API client (tokens, refresh with
 * exactly one retry, pagination, error mapping) and the webhook route. Payloads come from TikTok
 * Shop Partner Center documentation (test/fixtures/tiktok/, sources in its README); the platform is
 * test/fakes/tiktok-partner.ts, which re-checks every signature itself.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { ChannelSendError } from '../bots/channel.js';
import { TiktokAdapter, tiktokText } from '../bots/tiktok/adapter.js';
import { tiktokConfig } from '../infra/platforms/tiktok/config.js';
import { classifyError, PartnerApiClient, PartnerApiError } from '../infra/platforms/tiktok/partner-api.js';
import { checkWebhookSignature, signRequest, stringToSign, webhookSignature } from '../infra/platforms/tiktok/signing.js';
import { parseNotification } from '../bots/tiktok/webhook.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { OrderModel } from '../models/order.js';
import { createTiktokTokenStore, TiktokTokenModel } from '../models/tiktok-token.js';
import { startApp, type App } from '../scripts/app.js';
import { freePort } from '../scripts/stack/process.js';
import { buyerMessage, sellerReply, snapshot } from '../workflows/contract.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startFakeTiktok, type FakeTiktok } from './fakes/tiktok-partner.js';
import { eventually, signalsInHistory, testSecrets, useFreshDatabase } from './setup/helpers.js';

/** The master key the seller tokens are sealed with (infra/secrets). */
const secrets = testSecrets();

const fixture = (name: string) => readFileSync(new URL(`./fixtures/tiktok/${name}`, import.meta.url), 'utf8');
const examples = JSON.parse(fixture('signature-examples.json'));
const errors = JSON.parse(fixture('error-responses.json')) as Record<string, { status: number; body: Record<string, unknown> }>;
const hmacHex = (key: string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest('hex');

describe('request signing (Sign your API request)', () => {
  it('reproduces the documented example, computed here step by step', () => {
    const { appSecret, path, query, stringToSign: documentedBase, sign } = examples.request;
    // Steps 1–5 written out independently: sorted {key}{value}, path in front, secret around.
    const base =
      appSecret +
      path +
      Object.keys(query)
        .sort()
        .map((k) => k + query[k])
        .join('') +
      appSecret;
    expect(base).toBe(documentedBase);
    expect(hmacHex(appSecret, base)).toBe(sign);
    expect(signRequest({ appSecret, path, query })).toBe(sign);
  });

  it('puts the exact body after the sorted parameters; sign and access_token are not signed', () => {
    const { appSecret, path, query, body, unwrapped } = examples.requestWithBody;
    expect(stringToSign({ appSecret, path, query, body })).toBe(appSecret + unwrapped + appSecret);
    const withExtras = { ...query, sign: 'whatever', access_token: 'legacy' };
    expect(signRequest({ appSecret, path, query: withExtras, body })).toBe(hmacHex(appSecret, appSecret + unwrapped + appSecret));
  });

  it('leaves the body out for multipart/form-data', () => {
    const { appSecret, path, query } = examples.request;
    expect(signRequest({ appSecret, path, query, body: '--boundary…', contentType: 'multipart/form-data; boundary=x' })).toBe(
      examples.request.sign,
    );
  });
});

describe('webhook signature (Authorization header)', () => {
  const { appKey, appSecret, body, authorization } = examples.webhook;
  it('reproduces the documented example: HMAC-SHA256(app_secret, app_key + body)', () => {
    expect(hmacHex(appSecret, appKey + body)).toBe(authorization);
    expect(webhookSignature(body, appKey, appSecret)).toBe(authorization);
    expect(checkWebhookSignature(Buffer.from(body), authorization, appKey, appSecret)).toBe('ok');
    expect(checkWebhookSignature(Buffer.from(body), authorization.toUpperCase(), appKey, appSecret)).toBe('ok');
  });
  it('rejects missing, wrong, prefixed and tampered signatures', () => {
    expect(checkWebhookSignature(Buffer.from(body), undefined, appKey, appSecret)).toBe('missing');
    expect(checkWebhookSignature(Buffer.from(body), hmacHex('456', appKey + body), appKey, appSecret)).toBe('invalid');
    expect(checkWebhookSignature(Buffer.from(body), `Bearer ${authorization}`, appKey, appSecret)).toBe('invalid');
    expect(checkWebhookSignature(Buffer.from(body.replace('UNPAID', 'CANCELLED')), authorization, appKey, appSecret)).toBe('invalid');
  });
});

describe('New message (type 14) normalization', () => {
  it('the documented event: buyer = sender.im_user_id, id = message_id, text from the JSON content', () => {
    const n = parseNotification(JSON.parse(fixture('new-message-text.json')));
    expect(n).toMatchObject({
      kind: 'message',
      message: {
        tiktokShopId: '7494049642642441621',
        conversationId: '710688832392260838',
        buyerId: '707885565181165594',
        externalId: '722323407926368819',
        text: '444',
        attachments: [],
        notificationId: '7327112393057371910',
      },
    });
  });

  it('images and order cards become attachments', () => {
    expect(parseNotification(JSON.parse(fixture('new-message-image.json')))).toMatchObject({
      kind: 'message',
      message: {
        text: '',
        attachments: [{ type: 'image', url: 'https://tosv.boei18n.byted.org/obj/temai-im/FszkJ53nSapYG6KDaJQmqR3jjoZGwww304-290' }],
      },
    });
    expect(parseNotification(JSON.parse(fixture('new-message-order-card.json')))).toMatchObject({
      kind: 'message',
      message: { attachments: [{ type: 'other', name: 'order_card order_id=576486316948490001' }], orderRefs: ['576486316948490001'] },
    });
  });

  it('messages from the shop side (SHOP, CUSTOMER_SERVICE) are seller messages: sender kept, no buyer named', () => {
    const shop = parseNotification(JSON.parse(fixture('new-message-from-shop.json')));
    expect(shop).toMatchObject({
      kind: 'message',
      message: {
        author: 'seller',
        senderId: '7494560109732334261',
        senderRole: 'SHOP',
        conversationId: '710688832392260838',
        externalId: '722323407926368822',
        text: 'Thanks for your order!',
      },
    });
    expect(shop.kind === 'message' && shop.message.buyerId).toBeUndefined();
    const agent = JSON.parse(fixture('new-message-from-shop.json'));
    agent.data.sender.role = 'CUSTOMER_SERVICE';
    expect(parseNotification(agent)).toMatchObject({ kind: 'message', message: { author: 'seller', senderRole: 'CUSTOMER_SERVICE' } });
    expect(parseNotification(JSON.parse(fixture('new-message-text.json')))).toMatchObject({ message: { author: 'buyer' } });
  });

  it('ignores SYSTEM and ROBOT messages, new-conversation events and other notifications', () => {
    for (const role of ['SYSTEM', 'ROBOT']) {
      const n = JSON.parse(fixture('new-message-from-shop.json'));
      n.data.sender.role = role;
      expect(parseNotification(n)).toMatchObject({ kind: 'ignored', reason: `sent by ${role}` });
    }
    expect(parseNotification(JSON.parse(fixture('new-conversation.json')))).toMatchObject({ kind: 'ignored', type: 13 });
    expect(parseNotification(JSON.parse(examples.webhook.body))).toMatchObject({ kind: 'ignored', reason: 'notification type 1' });
    const notice = JSON.parse(fixture('new-message-text.json'));
    notice.data.type = 'BUYER_ENTER_FROM_ORDER';
    expect(parseNotification(notice)).toMatchObject({ kind: 'ignored', reason: 'message type BUYER_ENTER_FROM_ORDER' });
  });

  it('throws on something that is not a notification, or a New message without its fields', () => {
    expect(() => parseNotification({ hello: 'world' })).toThrow(/type/);
    expect(() => parseNotification({ type: 14, shop_id: '1', data: { message_id: 'x' } })).toThrow(/conversation_id/);
  });
});

describe('Partner API error mapping', () => {
  const map = (code: string, retryAfter: string | null = null) => {
    const e = errors[code]!;
    return classifyError(String(e.body.code), String(e.body.message), e.status, retryAfter, String(e.body.request_id));
  };
  it('expired token → refresh; rate limit → retry after a delay (Retry-After wins)', () => {
    expect(map('105002')).toMatchObject({ kind: 'token_expired', retryable: true });
    expect(map('36009002')).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 2000 });
    expect(map('36009002', '9')).toMatchObject({ kind: 'rate_limit', retryAfterMs: 9000 });
    expect(classifyError('36009004', 'Invalid credentials. The access_token header is invalid.', 401, null)).toMatchObject({
      kind: 'token_expired',
    });
  });
  it('bad signature / credentials are permanent, internal errors transient', () => {
    expect(map('106001')).toMatchObject({ kind: 'auth', retryable: false });
    expect(map('36009004')).toMatchObject({ kind: 'auth', retryable: false });
    expect(map('36009003')).toMatchObject({ kind: 'transient', retryable: true });
    expect(classifyError('12052900', 'conversation is closed', 200, null)).toMatchObject({ kind: 'invalid', retryable: false });
  });
});

describe('outbound text and settings', () => {
  it('lists quick replies in the text and keeps within 2000 characters', () => {
    expect(tiktokText({ text: 'Anything else?', quickReplies: ['Yes', 'No'] })).toBe('Anything else?\n\n1. Yes\n2. No');
    const long = tiktokText({ text: 'x'.repeat(2500) });
    expect([...long]).toHaveLength(2000);
    expect(long.endsWith('…')).toBe(true);
  });

  it('names every missing variable for tiktok', () => {
    let err: unknown;
    try {
      loadConfig({ SORA_CHANNELS: 'tiktok', SORA_TIKTOK_SHOPS: '123:demo:cipher:extra' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'tiktok: SORA_TIKTOK_APP_KEY: SORA_TIKTOK_APP_KEY is required when tiktok is enabled (TikTok Shop Partner Center → App & Service → your app → App key)',
      'tiktok: SORA_TIKTOK_APP_SECRET: SORA_TIKTOK_APP_SECRET is required when tiktok is enabled (same page → App secret)',
      'tiktok: SORA_TIKTOK_SHOPS: "123:demo:cipher:extra" is not of the form tiktokShopId:shopId[:shopCipher]',
    ]);
    expect(
      tiktokConfig({
        SORA_TIKTOK_APP_KEY: 'k',
        SORA_TIKTOK_APP_SECRET: 's',
        SORA_TIKTOK_SHOPS: '7494049642642441621:demo:ROW_abc, 42:other',
      }),
    ).toMatchObject({
      shops: { '7494049642642441621': 'demo', '42': 'other' },
      ciphers: { '7494049642642441621': 'ROW_abc' },
      apiUrl: 'https://open-api.tiktokglobalshop.com',
      authUrl: 'https://auth.tiktok-shops.com',
    });
  });
});

describe('Partner API client and webhook route', () => {
  const APP_KEY = 'focused-app-key';
  const APP_SECRET = 'focused-app-secret';
  const API_SHOP = '7000714532876273420';
  const GW_SHOP = '7494049642642441621';
  let api: FakeTiktok; // for the client tests
  let gw: FakeTiktok; // behind the app's adapter
  let app: App;
  let client: PartnerApiClient;
  const quiet = () => {};

  const newClient = () =>
    new PartnerApiClient({
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      tokens: createTiktokTokenStore(secrets),
      apiUrl: api.url,
      authUrl: api.url,
      log: quiet,
    });
  /** The stored token as the app reads it (opened with the master key; the raw document holds it sealed). */
  const storedToken = () => createTiktokTokenStore(secrets).findBySeller('seller-api');
  const sends = () => api.requests.filter((r) => r.method === 'POST').length;

  beforeAll(async () => {
    await useFreshDatabase('sora_tiktok');
    await seedDemoShop();
    api = await startFakeTiktok(APP_KEY, APP_SECRET);
    gw = await startFakeTiktok(APP_KEY, APP_SECRET);
    client = newClient();
    app = await startApp({
      secrets,
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new TiktokAdapter({
          secrets,
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          shops: { [GW_SHOP]: 'demo' },
          apiUrl: gw.url,
          authUrl: gw.url,
          echoWaitMs: 300,
        }),
      ],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await api?.close();
    await gw?.close();
    await disconnectMongo();
  });

  it('authorize(): exchanges the code, lists the shops and stores the tokens per seller', async () => {
    const code = api.authCode({
      openId: 'seller-api',
      name: 'Maomao beauty shop',
      shops: [{ id: API_SHOP, name: 'Maomao beauty shop', region: 'GB', cipher: 'GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3' }],
    });
    const a = await client.authorize(code);
    expect(a).toMatchObject({
      openId: 'seller-api',
      sellerName: 'Maomao beauty shop',
      shops: [{ id: API_SHOP, cipher: 'GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3' }],
    });
    const t = await storedToken();
    expect(t?.accessToken).toMatch(/^TTP_access_/);
    expect((await TiktokTokenModel.findOne({ openId: 'seller-api' }).lean())!.accessToken).toMatch(/^sora:s1:/);
    expect(t!.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    await expect(client.authorize('not-a-code')).rejects.toBeInstanceOf(PartnerApiError);
  });

  it('sendText(): signed POST with the token header and the shop cipher; content is a JSON string', async () => {
    const id = await client.sendText(API_SHOP, '576486316948490001', 'Your parcel left our warehouse.');
    expect(id).toMatch(/^7494560109/);
    expect(api.sent.at(-1)).toMatchObject({
      conversationId: '576486316948490001',
      type: 'TEXT',
      content: { content: 'Your parcel left our warehouse.' },
      shopCipher: 'GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3',
      accessToken: (await storedToken())!.accessToken,
    });
  });

  it('reads conversations and messages page by page through page_token', async () => {
    api.conversations.push(
      ...Array.from({ length: 25 }, (_, i) => ({ id: `c${i}`, messages: [] as FakeTiktok['conversations'][number]['messages'] })),
    );
    api.conversations[0]!.messages.push(
      ...Array.from({ length: 13 }, (_, i) => ({
        id: `m${i}`,
        type: 'TEXT',
        content: JSON.stringify({ content: `hi ${i}` }),
        role: 'BUYER',
        im_user_id: 'b1',
      })),
    );
    const first = await client.getConversations(API_SHOP, { pageSize: 20 });
    expect(first.items).toHaveLength(20);
    expect(first.nextPageToken).toBe('20');
    const all: string[] = [];
    for await (const c of client.pages((t) => client.getConversations(API_SHOP, { pageSize: 20, pageToken: t }))) all.push(c.id);
    expect(all).toEqual(api.conversations.map((c) => c.id));
    const before = api.requests.length;
    const msgs: string[] = [];
    for await (const m of client.pages((t) => client.getConversationMessages(API_SHOP, 'c0', { pageToken: t }))) msgs.push(m.id);
    expect(msgs).toHaveLength(13);
    expect(api.requests.length - before).toBe(2); // page_size 10: two pages
  });

  it('refreshes a token that expires within the margin before calling', async () => {
    const old = (await storedToken())!;
    await TiktokTokenModel.updateOne({ openId: 'seller-api' }, { $set: { accessTokenExpiresAt: new Date(Date.now() + 5 * 60_000) } });
    const refreshes = api.refreshCalls;
    await client.sendText(API_SHOP, 'c1', 'hello');
    expect(api.refreshCalls - refreshes).toBe(1);
    const now = (await storedToken())!;
    expect(now.accessToken).not.toBe(old.accessToken);
    expect(now.refreshToken).not.toBe(old.refreshToken);
    expect(api.sent.at(-1)!.accessToken).toBe(now.accessToken);
  });

  it('on 105002 refreshes once and retries exactly once', async () => {
    const old = (await storedToken())!;
    api.expire(old.accessToken);
    const [refreshes, posts] = [api.refreshCalls, sends()];
    await client.sendText(API_SHOP, 'c2', 'after expiry');
    expect(api.refreshCalls - refreshes).toBe(1);
    expect(sends() - posts).toBe(2);
    expect(api.requests.at(-2)).toMatchObject({ status: 401, code: 105002 });
    expect(api.requests.at(-1)).toMatchObject({ status: 200, code: 0 });
    expect(api.textsIn('c2')).toEqual(['after expiry']);
  });

  it('gives up (not retryable) when the refreshed token is refused too: still one retry only', async () => {
    api.refusalsAfterRefresh = true;
    try {
      api.expire((await storedToken())!.accessToken);
      const [refreshes, posts] = [api.refreshCalls, sends()];
      const err = await client.sendText(API_SHOP, 'c3', 'x').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PartnerApiError);
      expect(err).toMatchObject({ code: '105002', kind: 'auth', retryable: false });
      expect(api.refreshCalls - refreshes).toBe(1);
      expect(sends() - posts).toBe(2);
    } finally {
      api.refusalsAfterRefresh = false;
    }
  });

  it('two clients (two processes) hitting an expired token refresh it once between them', async () => {
    // Recover a usable token first (the previous test left an expired one).
    await client.refresh('seller-api', (await storedToken())!.accessToken);
    api.expire((await storedToken())!.accessToken);
    const other = newClient();
    const refreshes = api.refreshCalls;
    await Promise.all([
      client.sendText(API_SHOP, 'c4', 'one'),
      other.sendText(API_SHOP, 'c4', 'two'),
      client.sendText(API_SHOP, 'c4', 'three'),
    ]);
    expect(api.refreshCalls - refreshes).toBe(1);
    expect(api.textsIn('c4').sort()).toEqual(['one', 'three', 'two']);
  });

  it('adapter send(): Partner API refusals become ChannelSendErrors', async () => {
    const adapter = new TiktokAdapter({
      secrets,
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      shops: { [API_SHOP]: 'demo' },
      apiUrl: api.url,
      authUrl: api.url,
      log: quiet,
    });
    await BuyerModel.updateOne(
      { shopId: 'demo', channel: 'tiktok', buyerId: 'buyer-api' },
      { $set: { replyTo: { tiktokShopId: API_SHOP, conversationId: 'c5' }, firstSeenAt: new Date(), lastSeenAt: new Date() } },
      { upsert: true },
    );
    const ref = { channel: 'tiktok', shopId: 'demo', buyerId: 'buyer-api', workflowId: 'wf' };
    expect((await adapter.send(ref, { text: 'Which size?', quickReplies: ['S', 'M'] })).externalId).toMatch(/^7494560109/);
    expect(api.textsIn('c5')).toEqual(['Which size?\n\n1. S\n2. M']);

    api.failNext({ ...errors['36009002']!, headers: { 'retry-after': '3' } }, errors['106001']!, errors['36009003']!);
    const attempt = () =>
      adapter.send(ref, { text: 'x' }).then(
        () => null,
        (e: unknown) => e,
      );
    const limited = await attempt();
    expect(limited).toBeInstanceOf(ChannelSendError);
    expect(limited).toMatchObject({ channel: 'tiktok', code: '36009002', retryable: true, retryAfterMs: 3000 });
    expect(await attempt()).toMatchObject({ code: '106001', retryable: false });
    expect(await attempt()).toMatchObject({ code: '36009003', retryable: true });

    expect(await attempt()).toBeNull(); // the injected failures are used up: the shop works again
    await BuyerModel.updateOne({ shopId: 'demo', channel: 'tiktok', buyerId: 'buyer-api' }, { $set: { 'replyTo.tiktokShopId': '999' } });
    expect(await attempt()).toMatchObject({ code: 'no_token', retryable: false });
  });

  // ---- the webhook route, through the gateway with the real intake, Temporal and MongoDB
  const hook = () => `${app.gateway.url}/webhooks/tiktok`;
  const post = (body: string, authorization?: string) =>
    fetch(hook(), { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
  const signed = (body: string) => post(body, webhookSignature(body, APP_KEY, APP_SECRET));

  it('OAuth callback: 400 without a code or with a code TikTok refuses, 200 and stored tokens otherwise', async () => {
    expect((await fetch(`${app.gateway.url}/tiktok/oauth/callback`)).status).toBe(400);
    expect((await fetch(`${app.gateway.url}/tiktok/oauth/callback?code=forged`)).status).toBe(400);
    const code = gw.authCode({
      openId: 'seller-gw',
      name: 'Sora Demo Store',
      shops: [{ id: GW_SHOP, name: 'Sora Demo Store', region: 'US', cipher: 'US_cipher_1' }],
    });
    const res = await fetch(`${app.gateway.url}/tiktok/oauth/callback?code=${code}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ seller: 'Sora Demo Store', shops: [{ tiktokShopId: GW_SHOP, shopId: 'demo', region: 'US' }] });
  });

  it('rejects unsigned and mis-signed webhooks with 401 and records nothing', async () => {
    const body = fixture('new-message-text.json');
    expect((await post(body)).status).toBe(401);
    expect((await post(body, webhookSignature(body, APP_KEY, 'wrong'))).status).toBe(401);
    expect((await post(body.replace('444', '555'), webhookSignature(body, APP_KEY, APP_SECRET))).status).toBe(401);
    expect(await MessageModel.countDocuments({ channel: 'tiktok' })).toBe(0);
  });

  it('records the documented New message once, keeps the conversation for replies, and the reply goes into it', async () => {
    const body = fixture('new-message-text.json');
    const res = await signed(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', workflowId: 'conv:demo:tiktok:707885565181165594' });
    expect(await (await signed(body)).json()).toMatchObject({ status: 'duplicate' });
    const recs = await MessageModel.find({ channel: 'tiktok', direction: 'in' }).lean();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      externalId: '722323407926368819',
      buyerId: '707885565181165594',
      shopId: 'demo',
      text: '444',
      signalled: true,
    });
    const buyer = await BuyerModel.findOne({ channel: 'tiktok', buyerId: '707885565181165594' }).lean();
    expect(buyer?.replyTo).toEqual({ tiktokShopId: GW_SHOP, conversationId: '710688832392260838' });
    await eventually(() => gw.textsIn('710688832392260838').length > 0, 30_000, 'reply in conversation 710688832392260838');
    expect(gw.sent.at(-1)).toMatchObject({ shopCipher: 'US_cipher_1' });
  });

  it('acknowledges but does not record new-conversation events and unmapped shops', async () => {
    const res = await signed(fixture('new-conversation.json'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ignored' });
    const unmapped = fixture('new-message-text.json').replace(GW_SHOP, '1111111111').replace('722323407926368819', '722323407926368899');
    expect(await (await signed(unmapped)).json()).toMatchObject({ status: 'ignored', reason: 'unmapped shop' });
    expect(await MessageModel.countDocuments({ channel: 'tiktok', direction: 'in' })).toBe(1);
  });

  it('records an image as an attachment; a malformed New message is a 400', async () => {
    expect((await signed(fixture('new-message-image.json'))).status).toBe(200);
    const rec = await MessageModel.findOne({ externalId: '722323407926368820' }).lean();
    expect(rec).toMatchObject({ text: '', attachments: [{ type: 'image' }] });
    // An image without words is still a turn the bot answers.
    await eventually(
      async () => (await MessageModel.countDocuments({ workflowId: rec!.workflowId, direction: 'out', status: 'sent' })) >= 2,
      30_000,
      'an answer to the image',
    );
    const bad = JSON.stringify({ type: 14, shop_id: GW_SHOP, data: { message_id: 'm', type: 'TEXT' } });
    expect((await signed(bad)).status).toBe(400);
  });
  it('an order card makes its order the conversation’s order: a card for a $260 order hands off (order-value rule)', async () => {
    await OrderModel.create({
      shopId: 'demo',
      orderNumber: 'TT-CARD-1',
      externalId: '576486316948490001',
      totalUsd: 260,
      total: 260,
      currency: 'USD',
      status: 'awaiting_shipment',
      country: 'US',
      placedAt: new Date(),
      source: 'tiktok',
    });
    const n = JSON.parse(fixture('new-message-order-card.json'));
    n.tts_notification_id = 'n-card-1';
    n.data = { ...n.data, conversation_id: 'conv-card-1', message_id: 'card-msg-1', sender: { im_user_id: 'card-buyer-1', role: 'BUYER' } };
    const res = await signed(JSON.stringify(n));
    expect(res.status).toBe(200);
    expect((await MessageModel.findOne({ channel: 'tiktok', externalId: 'card-msg-1' }).lean())?.orderRefs).toEqual(['576486316948490001']);
    const snap = await eventually(
      async () => {
        const s = await app.client.workflow.getHandle('conv:demo:tiktok:card-buyer-1').query(snapshot);
        return s.status === 'waiting_agent' ? s : null;
      },
      30_000,
      'the order-value handoff',
    );
    expect(snap.focusOrder).toMatchObject({ orderNumber: 'TT-CARD-1', via: 'card' });
    expect(snap.handoffReason).toBe('order_value');
  });

  // ---- human takeover: messages typed in Seller Center reach the conversation as sellerReply
  const BUYER = '707885565181165594'; // the buyer of conversation 710688832392260838 (new-message-text.json)
  const SHOP_IM = '7494560109732334261';
  const wfOf = (buyerId: string) => `conv:demo:tiktok:${buyerId}`;
  /** A New message in `conversationId` as the documented event, from the buyer or the shop. */
  const newMessage = (o: { conversationId: string; messageId: string; text: string; role?: string; senderId?: string }) => {
    const n = JSON.parse(fixture('new-message-text.json'));
    n.tts_notification_id = `n-${o.messageId}`;
    n.data = {
      ...n.data,
      conversation_id: o.conversationId,
      message_id: o.messageId,
      content: JSON.stringify({ content: o.text }),
      sender: { im_user_id: o.senderId ?? (o.role && o.role !== 'BUYER' ? SHOP_IM : `buyer-${o.conversationId}`), role: o.role ?? 'BUYER' },
    };
    return JSON.stringify(n);
  };

  it('a reply typed in Seller Center reaches the running conversation as sellerReply, recorded once; a redelivery is a no-op', async () => {
    expect(sellerReply.name).toBe('sellerReply');
    const buyerTurns = (await signalsInHistory(app.client, wfOf(BUYER), buyerMessage)).length;
    const buyerBefore = await BuyerModel.findOne({ channel: 'tiktok', buyerId: BUYER }).lean();
    const body = fixture('new-message-from-shop.json'); // role SHOP, in the buyer's conversation 710688832392260838
    const res = await signed(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', workflowId: wfOf(BUYER) });
    expect(await (await signed(body)).json()).toMatchObject({ status: 'duplicate' });

    const recs = await MessageModel.find({ channel: 'tiktok', externalId: '722323407926368822' }).lean();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      direction: 'out',
      author: 'seller',
      status: 'sent',
      agentId: SHOP_IM,
      buyerId: BUYER,
      workflowId: wfOf(BUYER),
      text: 'Thanks for your order!',
      signalled: true,
    });
    const replies = await signalsInHistory(app.client, wfOf(BUYER), sellerReply);
    expect(replies).toEqual([
      { externalId: '722323407926368822', text: 'Thanks for your order!', at: expect.any(String), agentId: SHOP_IM },
    ]);
    // Not a buyer turn, and the buyer's reply address is untouched.
    expect(await signalsInHistory(app.client, wfOf(BUYER), buyerMessage)).toHaveLength(buyerTurns);
    expect(await BuyerModel.findOne({ channel: 'tiktok', buyerId: BUYER }).lean()).toMatchObject({
      messages: buyerBefore!.messages,
      replyTo: buyerBefore!.replyTo,
    });

    // The workflow takes it as a human takeover: the conversation is the seller's, the bot goes quiet.
    const handle = app.client.workflow.getHandle(wfOf(BUYER));
    const taken = await eventually(
      async () => {
        const snap = await handle.query(snapshot);
        return snap.status === 'agent' && !snap.busy ? snap : null;
      },
      30_000,
      'the takeover',
    );
    expect(taken.agentId).toBe(SHOP_IM);
    const botReplies = () => MessageModel.countDocuments({ workflowId: wfOf(BUYER), direction: 'out', author: { $in: ['bot', 'system'] } });
    const before = await botReplies();
    const ask = newMessage({
      conversationId: '710688832392260838',
      messageId: 'buyer-after-takeover',
      text: 'How long does shipping take?',
      senderId: BUYER,
    });
    expect((await signed(ask)).status).toBe(200);
    await eventually(
      async () => {
        const snap = await handle.query(snapshot);
        return snap.turns === taken.turns + 1 && snap.pendingInbox === 0 && !snap.busy;
      },
      30_000,
      'the buyer message to be handled',
    );
    expect(await botReplies()).toBe(before);
  });

  it('our own send echoed back by TikTok is not a seller message, also when the webhook beats the Send Message answer', async () => {
    const conversationId = '710688832392260901';
    const buyerId = `buyer-${conversationId}`;
    gw.echoWebhook = { url: hook(), shopImUserId: SHOP_IM, retryDelayMs: 200, maxAttempts: 10 };
    try {
      const res = await signed(newMessage({ conversationId, messageId: '722323407926360001', text: 'How long does shipping take?' }));
      expect(await res.json()).toMatchObject({ status: 'accepted', workflowId: wfOf(buyerId) });
      // The bot's reply goes out; the fake delivers its echo first, before answering Send Message.
      const echoed = await eventually(
        () =>
          gw.echoDeliveries.find(
            (d) => d.status === 200 && gw.sent.some((s) => s.messageId === d.messageId && s.conversationId === conversationId),
          ),
        30_000,
        'the echo of the reply, acknowledged',
      );
      const attempts = gw.echoDeliveries.filter((d) => d.messageId === echoed.messageId);
      // First delivery: our send was still in flight (no id yet) → 503, TikTok delivers again; then: ours.
      expect(attempts[0]).toMatchObject({ attempt: 1, status: 503, body: { error: 'echo_check_pending' } });
      expect(attempts.at(-1)).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'own message' } });
      expect(await MessageModel.findOne({ workflowId: wfOf(buyerId), direction: 'out', author: 'bot' }).lean()).toMatchObject({
        status: 'sent',
        platformMessageId: echoed.messageId,
      });
    } finally {
      gw.echoWebhook = null;
    }
    expect(await MessageModel.countDocuments({ channel: 'tiktok', author: 'seller', workflowId: wfOf(buyerId) })).toBe(0);
    expect(await signalsInHistory(app.client, wfOf(buyerId), sellerReply)).toEqual([]);

    // A send of ours known only from its outbound record (another process sent it): ignored too.
    await MessageModel.create({
      direction: 'out',
      channel: 'tiktok',
      externalId: `${wfOf(buyerId)}:other-run:1`,
      shopId: 'demo',
      buyerId,
      workflowId: wfOf(buyerId),
      author: 'bot',
      status: 'sent',
      platformMessageId: '722323407926360002',
    });
    const again = await signed(newMessage({ conversationId, messageId: '722323407926360002', text: 'From another worker', role: 'SHOP' }));
    expect(await again.json()).toMatchObject({ status: 'ignored', reason: 'own message' });
    expect(await MessageModel.countDocuments({ channel: 'tiktok', author: 'seller', workflowId: wfOf(buyerId) })).toBe(0);
  });

  it('a seller message never starts a conversation: none running, closed, or an unknown TikTok conversation', async () => {
    // A buyer known from an earlier conversation, whose workflow is not running.
    await BuyerModel.create({
      shopId: 'demo',
      channel: 'tiktok',
      buyerId: 'buyer-idle',
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
      replyTo: { tiktokShopId: GW_SHOP, conversationId: '710688832392260902' },
    });
    const res = await signed(
      newMessage({
        conversationId: '710688832392260902',
        messageId: '722323407926360003',
        text: 'Hello?',
        role: 'CUSTOMER_SERVICE',
        senderId: 'agent-7',
      }),
    );
    expect(await res.json()).toMatchObject({ status: 'no_conversation', workflowId: wfOf('buyer-idle') });
    expect(await MessageModel.findOne({ externalId: '722323407926360003' }).lean()).toMatchObject({
      author: 'seller',
      agentId: 'agent-7',
      buyerId: 'buyer-idle',
      signalled: true,
    });
    await expect(app.client.workflow.getHandle(wfOf('buyer-idle')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // A conversation that has ended: not restarted.
    const conversationId = '710688832392260903';
    const buyerId = `buyer-${conversationId}`;
    await signed(newMessage({ conversationId, messageId: '722323407926360004', text: 'hi' }));
    const handle = app.client.workflow.getHandle(wfOf(buyerId));
    const { runId } = await handle.describe();
    await handle.terminate('test: the conversation ended');
    const late = await signed(newMessage({ conversationId, messageId: '722323407926360005', text: 'Sorry for the wait', role: 'SHOP' }));
    expect(await late.json()).toMatchObject({ status: 'no_conversation' });
    const after = await handle.describe();
    expect([after.runId, after.status.name]).toEqual([runId, 'TERMINATED']);

    // A conversation no buyer of ours is known in: recorded and logged, nothing signalled.
    const unknown = await signed(
      newMessage({ conversationId: '999999999', messageId: '722323407926360006', text: 'Hi from the shop', role: 'SHOP' }),
    );
    expect(await unknown.json()).toMatchObject({ status: 'no_conversation', reason: 'unknown conversation' });
    expect(await MessageModel.findOne({ externalId: '722323407926360006' }).lean()).toMatchObject({
      author: 'seller',
      buyerId: 'unknown:conversation:999999999',
      signalled: true,
    });
    expect(
      await (await signed(newMessage({ conversationId: '999999999', messageId: '722323407926360006', text: 'x', role: 'SHOP' }))).json(),
    ).toMatchObject({
      status: 'duplicate',
    });
  });

  it('Temporal down: the seller message is recorded, the webhook answers 503, the relay delivers the sellerReply later', async () => {
    const down = await startApp({
      secrets,
      mongoUri: inject('mongoUri'),
      temporal: { address: `127.0.0.1:${await freePort()}`, namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      adapters: [
        new TiktokAdapter({
          secrets,
          appKey: APP_KEY,
          appSecret: APP_SECRET,
          shops: { [GW_SHOP]: 'demo' },
          apiUrl: gw.url,
          authUrl: gw.url,
        }),
      ],
      relayIntervalMs: 600_000,
      signalDeadlineMs: 1500,
    });
    const body = newMessage({
      conversationId: '710688832392260838',
      messageId: '722323407926360007',
      text: 'Mei here, I will check',
      role: 'SHOP',
    });
    try {
      const res = await fetch(`${down.gateway.url}/webhooks/tiktok`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: webhookSignature(body, APP_KEY, APP_SECRET) },
        body,
      });
      expect(res.status).toBe(503);
      expect(await MessageModel.findOne({ externalId: '722323407926360007' }).lean()).toMatchObject({ author: 'seller', signalled: false });
    } finally {
      await down.stop();
    }
    await eventually(
      async () => (await app.intake.relayOnce(0)) >= 1 || MessageModel.exists({ externalId: '722323407926360007', signalled: true }),
    );
    const replies = await signalsInHistory(app.client, wfOf(BUYER), sellerReply);
    expect(replies.map((r) => r.text)).toEqual(['Thanks for your order!', 'Mei here, I will check']);
    expect(await MessageModel.countDocuments({ externalId: '722323407926360007' })).toBe(1);
  });
});
