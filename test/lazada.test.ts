/**
 * Lazada Chat, focused: request signing against the documented example, the push signature
 * formula, normalization of each IM message kind, outbound parts, error mapping; then, with the real
 * gateway, intake, worker and Temporal: the pull catching a message the push missed (once, no
 * duplicate when the push arrives after all), a message typed in Seller Center as a human takeover
 * (and our own send's echo ignored), token refresh (before expiry, and once on IllegalAccessToken),
 * the authorization expiry alerts, and send() error mapping. The platform is
 * test/fakes/lazada-open-platform.ts, which re-checks every signature.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LazadaAdapter } from '../bots/lazada/adapter.js';
import { lazadaText, normalizeMessage, parsePush, PushShapeError, sendParts } from '../bots/lazada/messages.js';
import { ChannelSendError } from '../bots/channel.js';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { apiHostFor } from '../infra/platforms/lazada/hosts.js';
import { classifyError, LazadaApiClient, LazadaApiError } from '../infra/platforms/lazada/open-api.js';
import { checkPushSignature, pushSignature, signRequest, stringToSign } from '../infra/platforms/lazada/signing.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { createLazadaTokenStore, LazadaTokenModel } from '../models/lazada-token.js';
import { MessageModel } from '../models/message.js';
import { NotificationModel } from '../models/notification.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { buyerMessage, sellerReply, snapshot } from '../workflows/contract.js';
import { startFakeLazada, type FakeLazada } from './fakes/lazada-open-platform.js';
import { eventually, signalsInHistory, testSecrets, useFreshDatabase } from './setup/helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/lazada/${name}`, import.meta.url), 'utf8');
const hmacHex = (key: string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest('hex');

describe('request signing (Signature algorithm / Assemble HTTP request)', () => {
  const ex = JSON.parse(fixture('signature-example.json'));
  it('reproduces the documented GetOrder example: path + sorted {name}{value}, HMAC-SHA256, uppercase hex', () => {
    expect(stringToSign(ex.path, ex.params)).toBe(ex.stringToSign);
    expect(hmacHex(ex.appSecret, ex.stringToSign).toUpperCase()).toBe(ex.sign);
    expect(signRequest(ex.appSecret, ex.path, ex.params)).toBe(ex.sign);
    // `sign` itself is not signed; empty values are left out.
    expect(signRequest(ex.appSecret, ex.path, { ...ex.params, sign: 'X', note: '' })).toBe(ex.sign);
  });
  it('per-country hosts, overridable', () => {
    expect(apiHostFor('th')).toBe('https://api.lazada.co.th/rest');
    expect(apiHostFor('MY')).toBe('https://api.lazada.com.my/rest');
    expect(apiHostFor('vn')).toBe('https://api.lazada.vn/rest');
    expect(apiHostFor('id')).toBe('https://api.lazada.co.id/rest');
    expect(apiHostFor('ph')).toBe('https://api.lazada.com.ph/rest');
    expect(apiHostFor('sg')).toBe('https://api.lazada.sg/rest');
    expect(apiHostFor('th', 'http://127.0.0.1:9/rest/')).toBe('http://127.0.0.1:9/rest');
  });
});

describe('push signature (Authorization = hex HMAC-SHA256(app_key + body, app secret))', () => {
  const body = fixture('push-trade-order.json');
  it('matches the documented formula written out by hand; either hex case', () => {
    const expected = hmacHex('secret-1', '123456' + body);
    expect(pushSignature(body, '123456', 'secret-1')).toBe(expected);
    expect(checkPushSignature(Buffer.from(body), expected, '123456', 'secret-1')).toBe('ok');
    expect(checkPushSignature(Buffer.from(body), expected.toUpperCase(), '123456', 'secret-1')).toBe('ok');
  });
  it('rejects missing, wrong, prefixed and tampered signatures', () => {
    const good = pushSignature(body, '123456', 'secret-1');
    expect(checkPushSignature(Buffer.from(body), undefined, '123456', 'secret-1')).toBe('missing');
    expect(checkPushSignature(Buffer.from(body), pushSignature(body, '123456', 'other'), '123456', 'secret-1')).toBe('invalid');
    expect(checkPushSignature(Buffer.from(body), `Bearer ${good}`, '123456', 'secret-1')).toBe('invalid');
    expect(checkPushSignature(Buffer.from(body.replace('unpaid', 'paid')), good, '123456', 'secret-1')).toBe('invalid');
  });
});

describe('IM message normalization', () => {
  const msg = (o: Record<string, unknown>) => ({
    message_id: 'm1',
    session_id: 's1',
    template_id: 1,
    content: JSON.stringify({ txt: 'hi' }),
    from_account_type: 1,
    from_account_id: 'b1',
    to_account_id: 'seller1',
    ...o,
  });
  it('the push fixture: a buyer text; buyer = from_account_id, id = message_id', () => {
    expect(parsePush(JSON.parse(fixture('push-im-text.json')))).toMatchObject({
      kind: 'message',
      sellerId: '100094063',
      message: {
        author: 'buyer',
        buyerId: '1011822749',
        sessionId: '100094063_2_1011822749_1_103',
        externalId: '3a8b1c40-0000-4d6e-9b6f-000000000001',
        text: 'Hello, where is my order?',
        attachments: [],
      },
    });
  });
  it('images, emoji, video, product, order and voucher cards', () => {
    const n = (template_id: number, content: unknown) =>
      normalizeMessage('seller1', msg({ template_id, content: JSON.stringify(content) }));
    expect(n(3, { imgUrl: 'https://img.lazcdn.com/a.jpg' })).toMatchObject({
      message: { text: '', attachments: [{ type: 'image', url: 'https://img.lazcdn.com/a.jpg' }] },
    });
    expect(n(4, { txt: '[smile]' })).toMatchObject({ message: { attachments: [{ type: 'sticker', name: '[smile]' }] } });
    expect(n(6, { videoUrl: 'https://v.lazcdn.com/v.mp4' })).toMatchObject({
      message: { attachments: [{ type: 'video', url: 'https://v.lazcdn.com/v.mp4' }] },
    });
    expect(n(10006, { itemId: 1760954113 })).toMatchObject({
      message: { attachments: [{ type: 'other', name: 'product_card item_id=1760954113' }], orderRefs: [] },
    });
    expect(n(10007, { orderId: '300034416' })).toMatchObject({
      message: { attachments: [{ type: 'other', name: 'order_card order_id=300034416' }], orderRefs: ['300034416'] },
    });
    expect(n(10008, { voucherId: 'v9' })).toMatchObject({
      message: { attachments: [{ type: 'other', name: 'voucher_card voucher_id=v9' }] },
    });
  });
  it('seller-side messages name the buyer by to_account_id; auto-replies, unknown templates and empty text are ignored', () => {
    expect(normalizeMessage('seller1', msg({ from_account_type: 2, from_account_id: 'seller1', to_account_id: 'b1' }))).toMatchObject({
      kind: 'message',
      message: { author: 'seller', buyerId: 'b1', senderId: 'seller1' },
    });
    expect(normalizeMessage('seller1', msg({ auto_reply: true }))).toMatchObject({ kind: 'ignored', reason: 'Lazada auto-reply' });
    expect(normalizeMessage('seller1', msg({ template_id: 99 }))).toMatchObject({ kind: 'ignored', reason: 'template_id 99' });
    expect(normalizeMessage('seller1', msg({ content: JSON.stringify({ txt: '  ' }) }))).toMatchObject({ kind: 'ignored' });
  });
  it('other pushes are ignored; a push without what a message needs is a PushShapeError naming the field', () => {
    expect(parsePush(JSON.parse(fixture('push-trade-order.json')))).toMatchObject({ kind: 'ignored', reason: 'message_type 0' });
    expect(() => parsePush({ seller_id: '1', message_type: 2, data: { message_id: 'x', template_id: 1 } })).toThrow(PushShapeError);
    expect(() => parsePush({ seller_id: '1', message_type: 2, data: { message_id: 'x', template_id: 1 } })).toThrow(/data\.session_id/);
    expect(() => parsePush({ message_type: 2, data: {} })).toThrow(/seller_id/);
  });
});

describe('outbound parts and error mapping', () => {
  it('text with quick replies listed, images by URL, order and product cards', () => {
    expect(lazadaText({ text: 'Which size?', quickReplies: ['S', 'M'] })).toBe('Which size?\n\n1. S\n2. M');
    const { parts, skipped } = sendParts({
      text: 'Here it is',
      attachments: [
        { type: 'image', url: 'https://cdn.example/p.jpg' },
        { type: 'other', name: 'order_card order_id=300034416' },
        { type: 'other', name: 'product_card item_id=1760954113' },
        { type: 'document', name: 'invoice.pdf' },
      ],
    });
    expect(parts).toEqual([
      { templateId: 1, fields: { txt: 'Here it is' } },
      { templateId: 3, fields: { img_url: 'https://cdn.example/p.jpg' } },
      { templateId: 10007, fields: { order_id: '300034416' } },
      { templateId: 10006, fields: { item_id: '1760954113' } },
    ]);
    expect(skipped).toBe(1);
  });
  it('rate limits are retryable with a delay, signature/app errors are not, ISP errors are transient', () => {
    expect(classifyError('ApiCallLimit', 'too many', 200, '4')).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 4000 });
    expect(classifyError('AppCallLimit', 'x', 200, null)).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 2000 });
    expect(classifyError('IllegalAccessToken', 'x', 200, null)).toMatchObject({ kind: 'token_expired', retryable: true });
    expect(classifyError('IncompleteSignature', 'x', 200, null)).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyError('ServiceTimeout', 'x', 200, null, 'ISP')).toMatchObject({ kind: 'transient', retryable: true });
    expect(classifyError('E0001', 'order not found', 200, null, 'ISV')).toMatchObject({ kind: 'invalid', retryable: false });
  });
  it('settings: required key and secret, seller map or default shop, countries checked', () => {
    const base = { SORA_CHANNELS: 'lazada', SORA_LAZADA_APP_KEY: 'k', SORA_LAZADA_APP_SECRET: 's' };
    expect(() => loadConfig({ SORA_CHANNELS: 'lazada' })).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/SORA_LAZADA_SELLERS/);
    expect(() => loadConfig({ ...base, SORA_LAZADA_SELLERS: '100:demo:xx' })).toThrow(/not a Lazada country/);
    const c = loadConfig({ ...base, SORA_LAZADA_SELLERS: '100:demo:TH,200:other', SORA_LAZADA_PULL_INTERVAL: '30s' });
    expect(c.lazada).toMatchObject({ sellers: { '100': 'demo', '200': 'other' }, countries: { '100': 'th' }, pullIntervalMs: 30_000 });
    // The order source is configured without the channel when key, secret and sellers are set.
    expect(loadConfig({ SORA_LAZADA_APP_KEY: 'k', SORA_LAZADA_APP_SECRET: 's', SORA_LAZADA_SELLERS: '100:demo' }).lazada).toBeDefined();
    expect(loadConfig({}).lazada).toBeUndefined();
  });
});

describe('Lazada Chat through the gateway, intake and workflow', () => {
  const APP_KEY = '100002';
  const APP_SECRET = 'lazada-test-secret';
  const SELLER = '100094063';
  const secrets = testSecrets();
  const quiet = () => {};
  let fake: FakeLazada;
  let app: App;
  let adapter: LazadaAdapter;
  const hook = () => `${app.gateway.url}/webhooks/lazada`;
  const sessionOf = (buyer: string) => `${SELLER}_2_${buyer}_1_103`;
  const wfOf = (buyer: string) => `conv:demo:lazada:${buyer}`;
  const text = (s: string) => JSON.stringify({ txt: s });

  beforeAll(async () => {
    await useFreshDatabase('sora_lazada');
    await seedDemoShop();
    fake = await startFakeLazada(APP_KEY, APP_SECRET);
    adapter = new LazadaAdapter({
      secrets,
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      sellers: { [SELLER]: 'demo' },
      apiUrl: fake.url,
      authUrl: fake.url,
      pullIntervalMs: 0, // pulls are run by the tests
      echoWaitMs: 300,
      tokenWarnMs: 72 * 3_600_000,
    });
    app = await startApp({
      secrets,
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [adapter],
    });
    const res = await fetch(`${app.gateway.url}/lazada/oauth/callback?code=${fake.authCode(SELLER, 'th')}`);
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await disconnectMongo();
  });

  it('stores the tokens sealed; a bad code is a 400 naming the problem', async () => {
    const raw = (await LazadaTokenModel.findOne({ sellerId: SELLER }).lean())!;
    expect(raw.accessToken).toMatch(/^sora:s1:/);
    expect(raw.country).toBe('th');
    expect((await createLazadaTokenStore(secrets).find(SELLER))!.accessToken).toBe(fake.accessTokenOf(SELLER));
    const bad = await fetch(`${app.gateway.url}/lazada/oauth/callback?code=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'authorization_failed' });
    expect((await fetch(`${app.gateway.url}/lazada/oauth/callback`)).status).toBe(400);
  });

  it('the pull catches a message the push missed, once; the late push and the next pull are duplicates', async () => {
    const buyer = 'b-missed';
    const m = fake.addMessage({
      session_id: sessionOf(buyer),
      from_account_id: buyer,
      to_account_id: SELLER,
      content: text('Do you ship to Chiang Mai?'),
    });
    await adapter.pullOnce();
    const recs = await MessageModel.find({ channel: 'lazada', externalId: m.message_id }).lean();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ direction: 'in', buyerId: buyer, workflowId: wfOf(buyer), text: 'Do you ship to Chiang Mai?' });
    expect(await BuyerModel.findOne({ channel: 'lazada', buyerId: buyer }).lean()).toMatchObject({
      replyTo: { sellerId: SELLER, sessionId: sessionOf(buyer) },
    });
    // The reply goes back into the session by /im/message/send.
    await eventually(() => fake.textsIn(sessionOf(buyer)).length > 0, 30_000, 'the reply');
    // The push arrives after all: a duplicate. Another pull reads the same window: nothing new.
    const late = await fetch(hook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: pushSignature(fake.pushBody(SELLER, m), APP_KEY, APP_SECRET) },
      body: fake.pushBody(SELLER, m),
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ status: 'duplicate' });
    await adapter.pullOnce();
    expect(await MessageModel.countDocuments({ channel: 'lazada', externalId: m.message_id })).toBe(1);
    expect(await signalsInHistory(app.client, wfOf(buyer), buyerMessage)).toHaveLength(1);
    // Our own reply, read back by the pull as a seller-side message, is not a takeover.
    expect(await MessageModel.countDocuments({ channel: 'lazada', author: 'seller', workflowId: wfOf(buyer) })).toBe(0);
    expect(await signalsInHistory(app.client, wfOf(buyer), sellerReply)).toEqual([]);
  });

  it('a message typed in Seller Center is a human takeover (sellerReply); our own send pushed back is ignored', async () => {
    const buyer = 'b-takeover';
    const first = fake.addMessage({
      session_id: sessionOf(buyer),
      from_account_id: buyer,
      to_account_id: SELLER,
      content: text('Is this shirt linen?'),
    });
    expect(await fake.push(hook(), SELLER, first)).toBe(200);
    await eventually(() => fake.sent.find((s) => s.sessionId === sessionOf(buyer)), 30_000, 'the bot reply');
    const ours = fake.messages.find((x) => x.session_id === sessionOf(buyer) && x.from_account_type === 2)!;
    const echo = await fetch(hook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: pushSignature(fake.pushBody(SELLER, ours), APP_KEY, APP_SECRET) },
      body: fake.pushBody(SELLER, ours),
    });
    expect(await echo.json()).toMatchObject({ status: 'ignored', reason: 'own message' });

    const typed = fake.addMessage({
      session_id: sessionOf(buyer),
      from_account_type: 2,
      from_account_id: SELLER,
      to_account_id: buyer,
      content: text('Yes, 100% linen. I will check your size.'),
    });
    expect(await fake.push(hook(), SELLER, typed)).toBe(200);
    const rec = await MessageModel.findOne({ channel: 'lazada', externalId: typed.message_id }).lean();
    expect(rec).toMatchObject({
      direction: 'out',
      author: 'seller',
      buyerId: buyer,
      workflowId: wfOf(buyer),
      text: 'Yes, 100% linen. I will check your size.',
    });
    const replies = await signalsInHistory(app.client, wfOf(buyer), sellerReply);
    expect(replies).toEqual([expect.objectContaining({ externalId: typed.message_id, text: 'Yes, 100% linen. I will check your size.' })]);
    const snap = await eventually(
      async () => {
        const s = await app.client.workflow.getHandle(wfOf(buyer)).query(snapshot);
        return s.status === 'agent' ? s : null;
      },
      30_000,
      'the takeover',
    );
    expect(snap.status).toBe('agent');
    // The pull reads the same message again: recorded once.
    await adapter.pullOnce();
    expect(await MessageModel.countDocuments({ channel: 'lazada', externalId: typed.message_id })).toBe(1);
  });

  it('refreshes a token close to expiry before calling, and once (then retries once) on IllegalAccessToken', async () => {
    const client = new LazadaApiClient({
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      tokens: createLazadaTokenStore(secrets),
      apiUrl: fake.url,
      authUrl: fake.url,
      log: quiet,
    });
    const store = createLazadaTokenStore(secrets);
    const before = (await store.find(SELLER))!;
    await LazadaTokenModel.updateOne({ sellerId: SELLER }, { $set: { accessTokenExpiresAt: new Date(Date.now() + 60_000) } });
    let refreshes = fake.refreshCalls;
    await client.sendMessage(SELLER, sessionOf('b-refresh'), 1, { txt: 'one' });
    expect(fake.refreshCalls - refreshes).toBe(1);
    const after = (await store.find(SELLER))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(fake.sent.at(-1)!.params.access_token).toBe(after.accessToken);

    fake.expire(after.accessToken);
    refreshes = fake.refreshCalls;
    const calls = fake.requests.length;
    await client.sendMessage(SELLER, sessionOf('b-refresh'), 1, { txt: 'two' });
    expect(fake.refreshCalls - refreshes).toBe(1);
    expect(fake.requests.slice(calls).map((r) => `${r.path}:${r.code}`)).toEqual([
      '/im/message/send:IllegalAccessToken',
      '/auth/token/refresh:0',
      '/im/message/send:0',
    ]);
    expect(fake.textsIn(sessionOf('b-refresh'))).toEqual(['one', 'two']);
  });

  it('alerts operators once before the authorization expires and once when it has', async () => {
    const expiresAt = new Date(Date.now() + 5 * 3_600_000);
    await LazadaTokenModel.updateOne({ sellerId: SELLER }, { $set: { refreshTokenExpiresAt: expiresAt } });
    const first = await adapter.watchTokens();
    expect(first.alerted).toEqual([`lazada_token_expiring:${SELLER}:${expiresAt.toISOString()}`]);
    expect((await adapter.watchTokens()).alerted).toEqual([]); // once
    const n = await NotificationModel.findOne({ key: first.alerted[0] }).lean();
    expect(n).toMatchObject({ kind: 'channel_token_expiring', shopId: 'demo', channel: 'lazada' });
    expect(n!.text).toMatch(/Lazada Chat authorization of demo expires soon/);
    // Later: expired.
    const later = new Date(expiresAt.getTime() + 60_000);
    const expired = await adapter.watchTokens(later);
    expect(expired.alerted).toEqual([`lazada_token_expired:${SELLER}:${expiresAt.toISOString()}`]);
    expect(await NotificationModel.findOne({ key: expired.alerted[0] }).lean()).toMatchObject({ kind: 'channel_token_expired' });
    expect((await adapter.watchTokens(later)).alerted).toEqual([]);
    // Far from expiry: nothing.
    await LazadaTokenModel.updateOne({ sellerId: SELLER }, { $set: { refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000) } });
    expect((await adapter.watchTokens()).alerted).toEqual([]);
  });

  it('send(): images and cards as their templates; refusals become ChannelSendErrors', async () => {
    const buyer = 'b-send';
    await BuyerModel.updateOne(
      { shopId: 'demo', channel: 'lazada', buyerId: buyer },
      { $set: { replyTo: { sellerId: SELLER, sessionId: sessionOf(buyer) }, firstSeenAt: new Date(), lastSeenAt: new Date() } },
      { upsert: true },
    );
    const ref = { channel: 'lazada', shopId: 'demo', buyerId: buyer, workflowId: wfOf(buyer) };
    const r = await adapter.send(ref, {
      text: 'Your order',
      attachments: [
        { type: 'image', url: 'https://cdn.example/p.jpg' },
        { type: 'other', name: 'order_card order_id=300034416' },
      ],
    });
    const mine = fake.sent.filter((s) => s.sessionId === sessionOf(buyer));
    expect(mine.map((s) => s.templateId)).toEqual([1, 3, 10007]);
    expect(r.externalId).toBe(mine[0]!.messageId);
    expect(mine[2]!.params.order_id).toBe('300034416');

    const attempt = () =>
      adapter.send(ref, { text: 'x' }).then(
        () => null,
        (e: unknown) => e,
      );
    fake.failNext({ status: 200, body: { type: 'ISV', code: 'ApiCallLimit', message: 'call limit' }, headers: { 'retry-after': '3' } });
    expect(await attempt()).toMatchObject({ channel: 'lazada', code: 'ApiCallLimit', retryable: true, retryAfterMs: 3000 });
    fake.failNext({ status: 200, body: { type: 'ISV', code: 'IncompleteSignature', message: 'bad sign' } });
    const sig = await attempt();
    expect(sig).toBeInstanceOf(ChannelSendError);
    expect(sig).toMatchObject({ code: 'IncompleteSignature', retryable: false });
    fake.failNext({ status: 200, body: { type: 'ISP', code: 'ServiceTimeout', message: 'timeout' } });
    expect(await attempt()).toMatchObject({ code: 'ServiceTimeout', retryable: true });
    // Token refused even after a refresh: an auth error, not retryable.
    fake.failNext(
      { status: 200, body: { type: 'ISV', code: 'IllegalAccessToken', message: 'expired' } },
      { status: 200, body: { type: 'ISV', code: 'IllegalAccessToken', message: 'expired' } },
    );
    expect(await attempt()).toMatchObject({ code: 'IllegalAccessToken', retryable: false });
    expect(await attempt()).toBeNull(); // works again
    await BuyerModel.updateOne({ shopId: 'demo', channel: 'lazada', buyerId: buyer }, { $set: { 'replyTo.sellerId': '999' } });
    expect(await attempt()).toMatchObject({ code: 'no_token', retryable: false });
    expect(LazadaApiError).toBeDefined();
  });

  it('a forged push is 401 and records nothing; a malformed one is 400 naming the field', async () => {
    const m = fake.addMessage({
      session_id: sessionOf('b-forged'),
      from_account_id: 'b-forged',
      to_account_id: SELLER,
      content: text('hi'),
    });
    fake.messages.pop(); // only pushed, never pulled
    expect(await fake.push(hook(), SELLER, m, { signWith: 'wrong' })).toBe(401);
    expect(await MessageModel.countDocuments({ externalId: m.message_id })).toBe(0);
    const body = JSON.stringify({ seller_id: SELLER, message_type: 2, data: { message_id: 'x', template_id: 1 } });
    const res = await fetch(hook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: pushSignature(body, APP_KEY, APP_SECRET) },
      body,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/session_id/);
  });
});
