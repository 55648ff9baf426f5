/**
 * TikTok Shop customer service adapter, focused: request signing and webhook signatures against
 * the documented examples, New message normalization, the Partner API client (tokens, refresh with
 * exactly one retry, pagination, error mapping) and the webhook route. Payloads come from TikTok
 * Shop Partner Center documentation (test/fixtures/tiktok/, sources in its README); the platform is
 * test/fakes/tiktok-partner.ts, which re-checks every signature itself.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { ChannelSendError } from '../bots/channel.js';
import { TiktokAdapter, tiktokText } from '../bots/tiktok/adapter.js';
import { tiktokConfig } from '../bots/tiktok/config.js';
import { classifyError, PartnerApiClient, PartnerApiError } from '../bots/tiktok/partner-api.js';
import { checkWebhookSignature, signRequest, stringToSign, webhookSignature } from '../bots/tiktok/signing.js';
import { parseNotification } from '../bots/tiktok/webhook.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { TiktokTokenModel } from '../models/tiktok-token.js';
import { startApp, type App } from '../scripts/app.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startFakeTiktok, type FakeTiktok } from './fakes/tiktok-partner.js';
import { eventually, useFreshDatabase } from './setup/helpers.js';

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
      message: { attachments: [{ type: 'other', name: 'order_card order_id=576486316948490001' }] },
    });
  });

  it("ignores the shop's own messages, new-conversation events and other notifications", () => {
    expect(parseNotification(JSON.parse(fixture('new-message-from-shop.json')))).toMatchObject({ kind: 'ignored', reason: 'sent by SHOP' });
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

  const newClient = () => new PartnerApiClient({ appKey: APP_KEY, appSecret: APP_SECRET, apiUrl: api.url, authUrl: api.url, log: quiet });
  const storedToken = () => TiktokTokenModel.findOne({ openId: 'seller-api' }).lean();
  const sends = () => api.requests.filter((r) => r.method === 'POST').length;

  beforeAll(async () => {
    await useFreshDatabase('sora_tiktok');
    await seedDemoShop();
    api = await startFakeTiktok(APP_KEY, APP_SECRET);
    gw = await startFakeTiktok(APP_KEY, APP_SECRET);
    client = newClient();
    app = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new TiktokAdapter({ appKey: APP_KEY, appSecret: APP_SECRET, shops: { [GW_SHOP]: 'demo' }, apiUrl: gw.url, authUrl: gw.url }),
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

  it('OAuth callback: 400 without a code, 502 for a code TikTok refuses, 200 and stored tokens otherwise', async () => {
    expect((await fetch(`${app.gateway.url}/tiktok/oauth/callback`)).status).toBe(400);
    expect((await fetch(`${app.gateway.url}/tiktok/oauth/callback?code=forged`)).status).toBe(502);
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

  it("acknowledges but does not record the shop's own messages, new-conversation events and unmapped shops", async () => {
    for (const name of ['new-message-from-shop.json', 'new-conversation.json']) {
      const res = await signed(fixture(name));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ignored' });
    }
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
});
