/**
 * LINE Messaging API adapter, focused: x-line-signature against a published vector and routing by
 * signature across shops, each message kind's normalization (documented event examples,
 * test/fixtures/line/), skipped events (group/room chats, standby, follow/unfollow), redelivery,
 * reply token vs push fallback, the X-Line-Retry-Key making a retried push a no-op, quick replies,
 * LINE error responses → ChannelSendError, and a Thai question answered in Thai. The LINE Platform
 * is test/fakes/line-platform.ts; gateway, intake, Temporal and MongoDB are the real ones.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChannelSendError, conversationWorkflowId } from '../bots/channel.js';
import { LineAdapter } from '../bots/line/adapter.js';
import { buildMessages, retryKeyFor } from '../bots/line/messaging.js';
import { parseLineWebhook, signedBy, WebhookShapeError } from '../bots/line/webhook.js';
import { lineConfig } from '../infra/config/index.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { startLinePlatform, type LineBot, type LinePlatform } from './fakes/line-platform.js';
import { eventually, kbEntryAnswering, useFreshDatabase } from './setup/helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/line/${name}`, import.meta.url), 'utf8');
const contentUrl = (id: string) => `https://api-data.line.me/v2/bot/message/${id}/content`;
const parse = (name: string) => parseLineWebhook(JSON.parse(fixture(name)), contentUrl);
const USER = 'U4af4980629a4b5e2c9d1e0f3a7b8c6d5';

describe('x-line-signature', () => {
  // The published vector of @line/bot-sdk's own test (test/validate-signature.spec.ts): body
  // {"hello":"world"}, channel secret "test_secret".
  const body = Buffer.from(JSON.stringify({ hello: 'world' }));
  const signature = 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=';
  const shops = [
    { shopId: 'a', secret: 'other_secret' },
    { shopId: 'b', secret: 'test_secret' },
  ];

  it('is the base64 HMAC-SHA256 of the exact body with the channel secret (computed here independently)', () => {
    expect(createHmac('sha256', 'test_secret').update(body).digest('base64')).toBe(signature);
    expect(signedBy(body, signature, shops)).toEqual({ ok: true, channel: shops[1] });
  });

  it('missing → missing; another secret, a tampered body, a malformed header → invalid', () => {
    expect(signedBy(body, undefined, shops)).toEqual({ ok: false, reason: 'missing' });
    expect(signedBy(body, signature, [shops[0]!])).toEqual({ ok: false, reason: 'invalid' });
    expect(signedBy(Buffer.from('{"hello":"world!"}'), signature, shops)).toEqual({ ok: false, reason: 'invalid' });
    expect(signedBy(body, 'sha256=abc', shops)).toEqual({ ok: false, reason: 'invalid' });
    expect(signedBy(body, signature.slice(0, -2), shops)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('webhook normalization (documented event examples)', () => {
  it('text: buyer = source.userId, external id = message.id, text as sent, reply token and time kept', () => {
    const p = parse('text.json');
    expect(p.destination).toBe('U8e742f61d673b39c7fff3cecb7536ef0');
    expect(p.messages).toEqual([
      expect.objectContaining({
        userId: USER,
        externalId: '444573844083572737',
        webhookEventId: '01FZ74A0TDDPYRVKNK77XKC3ZR',
        text: '@All @example Good Morning!! (love)',
        attachments: [],
        replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
        timestamp: 1462629479859,
        redelivery: false,
      }),
    ]);
  });

  it.each([
    ['image.json', '354718705033693859', '', [{ type: 'image', url: contentUrl('354718705033693859') }]],
    ['video.json', '325708', '', [{ type: 'video', url: 'https://example.com/original.mp4' }]],
    ['audio.json', '325709', '', [{ type: 'audio', url: contentUrl('325709') }]],
    ['file.json', '325710', '', [{ type: 'document', url: contentUrl('325710'), name: 'file.txt', sizeBytes: 2138 }]],
    [
      'location.json',
      '325711',
      'my location, 1-3 Kioicho, Chiyoda-ku, Tokyo, 102-8282, Japan',
      [{ type: 'location', url: 'geo:35.67966,139.73669', name: 'my location, 1-3 Kioicho, Chiyoda-ku, Tokyo, 102-8282, Japan' }],
    ],
    ['sticker.json', '1501597916', '', [{ type: 'sticker', name: 'sticker 11537/52002738 (cony, sally, Staring, hi, whatsup)' }]],
    [
      'message-sticker.json',
      '123456789012345678',
      "Let's hang out this weekend!",
      [{ type: 'sticker', name: 'sticker 12287/738839 (Anticipation, Sparkle, Straight face, Staring, Thinking)' }],
    ],
  ])('%s → text and attachments', (file, id, text, attachments) => {
    const p = parse(file);
    expect(p.ignored).toEqual([]);
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]).toMatchObject({ userId: USER, externalId: id, text, attachments });
  });

  it('group and multi-person chats, standby mode, follow and unfollow are skipped, nothing to answer', () => {
    const g = parse('group-and-room.json');
    expect(g.messages).toEqual([]);
    expect(g.ignored.map((i) => i.reason)).toEqual([
      'group chat (only one-to-one chats are answered)',
      'room chat (only one-to-one chats are answered)',
      'mode standby (another channel holds this chat)',
    ]);
    const f = parse('follow-unfollow.json');
    expect(f.messages).toEqual([]);
    expect(f.ignored.map((i) => i.reason)).toEqual(['event follow', 'event unfollow']);
  });

  it('a redelivered event keeps the message id and says so', () => {
    const [m] = parse('redelivered-text.json').messages;
    expect(m).toMatchObject({ externalId: '444573844083572737', redelivery: true });
  });

  it('the console\'s "Verify" call (no events) is fine; a body that is not {destination, events[]} is a WebhookShapeError', () => {
    expect(parse('verify.json')).toMatchObject({ messages: [], ignored: [] });
    for (const bad of [{}, { destination: 'U1' }, { destination: 'U1', events: {} }, { destination: 'U1', events: [{ type: 'message' }] }])
      expect(() => parseLineWebhook(bad, contentUrl), JSON.stringify(bad)).toThrow(WebhookShapeError);
  });
});

describe('outbound message objects', () => {
  it('quick replies: at most 13 message actions, labels cut to 20 characters, the full text sent back', () => {
    const qr = Array.from({ length: 15 }, (_, i) => (i === 0 ? 'ติดตามพัสดุของฉันได้อย่างไรบ้างครับ' : `option ${i}`));
    const [m] = buildMessages({ text: 'Pick one', quickReplies: qr });
    const items = m!.quickReply!.items!;
    expect(items).toHaveLength(13);
    expect(items[0]!.action).toEqual({ type: 'message', label: `${[...qr[0]!].slice(0, 19).join('')}…`, text: qr[0] });
    expect([...(items[0]!.action as { label: string }).label]).toHaveLength(20);
  });

  it('a text over 5000 characters is split; quick replies only on the last message', () => {
    const ms = buildMessages({ text: 'a'.repeat(12_001), quickReplies: ['yes'] });
    expect(ms.map((m) => m.text.length)).toEqual([5000, 5000, 2001]);
    expect(ms.map((m) => !!m.quickReply)).toEqual([false, false, true]);
  });

  it('the retry key is a UUID derived from the idempotency key: the same on every retry, another for another message', () => {
    const k = retryKeyFor('conv:demo:line:U1:run:3');
    expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retryKeyFor('conv:demo:line:U1:run:3')).toBe(k);
    expect(retryKeyFor('conv:demo:line:U1:run:4')).not.toBe(k);
  });
});

describe('settings (SORA_LINE_*)', () => {
  it('one entry per shop; malformed entries and a secret shared by two shops are named without echoing secrets', () => {
    const ok = lineConfig({ SORA_LINE_CHANNELS: 'demo:s1:tok+/A=,shop-b:s2:tok2' });
    expect(ok.channels).toEqual([
      { shopId: 'demo', secret: 's1', accessToken: 'tok+/A=' },
      { shopId: 'shop-b', secret: 's2', accessToken: 'tok2' },
    ]);
    expect(ok).toMatchObject({ apiUrl: 'https://api.line.me', dataUrl: 'https://api-data.line.me', replyWindowMs: 50_000 });
    const problems = (env: Record<string, string>) => {
      try {
        lineConfig(env);
        return [];
      } catch (e) {
        return (e as { issues: { message: string }[] }).issues.map((i) => i.message);
      }
    };
    expect(problems({})).toEqual(['SORA_LINE_CHANNELS is required when line is enabled (shopId:channelSecret:channelAccessToken,…)']);
    const p = problems({ SORA_LINE_CHANNELS: 'demo:topsecret,a:sec:t1,b:sec:t2', SORA_LINE_REPLY_WINDOW: '5m' });
    expect(p).toEqual([
      'entry 1 is not of the form shopId:channelSecret:channelAccessToken',
      'entry 3 (b): the same channel secret is listed for two shops (webhooks could not be told apart)',
      'must be at most 1m: LINE reply tokens expire (got "5m")',
    ]);
    expect(p.join(' ')).not.toContain('topsecret');
  });
});

describe('LINE adapter in the gateway', () => {
  const A: LineBot = { shopId: 'demo', botUserId: 'U8e742f61d673b39c7fff3cecb7536ef0', secret: 'a'.repeat(32), accessToken: 'token-A+/=' };
  const B: LineBot = {
    shopId: 'shop-b',
    botUserId: 'U1234567890abcdef1234567890abcdef',
    secret: 'b'.repeat(32),
    accessToken: 'token-B+/=',
  };
  let app: App;
  let line: LinePlatform;
  let adapter: LineAdapter;
  const logs: unknown[] = [];
  const wf = (shopId: string, buyerId: string) => conversationWorkflowId({ shopId, channel: 'line', buyerId });
  const ref = (buyerId: string, shopId = 'demo') => ({ channel: 'line', shopId, buyerId, workflowId: wf(shopId, buyerId) });
  let n = 0;
  const user = () => `U${Date.now().toString(16)}${(n++).toString(16).padStart(4, '0')}`.padEnd(33, '0');
  /** A buyer that wrote earlier (its reply address recorded), without a conversation running. */
  const knownBuyer = async (replyTo: Record<string, unknown> = {}, shopId = 'shop-b') => {
    const buyerId = user();
    await BuyerModel.create({
      shopId,
      channel: 'line',
      buyerId,
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
      replyTo: { userId: buyerId, destination: B.botUserId, ...replyTo },
    });
    return buyerId;
  };
  const sendError = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ChannelSendError);
    return e as ChannelSendError;
  };

  beforeAll(async () => {
    await useFreshDatabase('sora_line');
    await seedDemoShop();
    line = await startLinePlatform([A, B]);
    adapter = new LineAdapter({
      channels: [A, B].map(({ shopId, secret, accessToken }) => ({ shopId, secret, accessToken })),
      apiUrl: line.url,
      dataUrl: line.url,
      replyWindowMs: 50_000,
      log: (msg, fields) => logs.push({ msg, ...fields }),
    });
    app = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [adapter],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await line?.close();
    await disconnectMongo();
  });

  it('401 without a signature, 403 with a wrong one, 404 for an unknown shop path, 400 for a malformed body: nothing recorded', async () => {
    const u = user();
    const body = line.textEvent(A, u, 'hello');
    expect(await line.deliver(app.gateway.url, A, body, { secret: null })).toBe(401);
    expect(await line.deliver(app.gateway.url, A, body, { secret: 'c'.repeat(32) })).toBe(403);
    // Shop B's own URL only takes shop B's signature.
    expect(await line.deliver(app.gateway.url, A, body, { path: '/webhooks/line/shop-b' })).toBe(403);
    expect(await line.deliver(app.gateway.url, A, body, { path: '/webhooks/line/nope' })).toBe(404);
    expect(await line.deliver(app.gateway.url, A, '{"destination":"U1","events":"x"}')).toBe(400);
    expect(await line.deliver(app.gateway.url, A, 'not json')).toBe(400);
    expect(await MessageModel.countDocuments({ channel: 'line', buyerId: u })).toBe(0);
    expect(await line.deliver(app.gateway.url, A, fixture('verify.json'))).toBe(200);
  });

  it('several shops: each event goes to the shop whose channel signed it (one URL or the shop path), destination kept', async () => {
    const u = user();
    const a = line.textEvent(A, u, 'hi shop A', { messageId: `${u}-a` });
    const b = line.textEvent(B, u, 'hi shop B', { messageId: `${u}-b` });
    expect(await line.deliver(app.gateway.url, A, a)).toBe(200);
    expect(await line.deliver(app.gateway.url, B, b, { path: '/webhooks/line/shop-b' })).toBe(200);
    const recs = await MessageModel.find({ channel: 'line', buyerId: u, direction: 'in' }).sort({ externalId: 1 }).lean();
    expect(recs.map((r) => [r.shopId, r.externalId, r.text])).toEqual([
      ['demo', `${u}-a`, 'hi shop A'],
      ['shop-b', `${u}-b`, 'hi shop B'],
    ]);
    const buyers = await BuyerModel.find({ channel: 'line', buyerId: u }).sort({ shopId: 1 }).lean();
    expect(buyers.map((x) => [x.shopId, (x.replyTo as { destination: string }).destination])).toEqual([
      ['demo', A.botUserId],
      ['shop-b', B.botUserId],
    ]);
  });

  it('a redelivered event (same message id, isRedelivery) is a duplicate: one record', async () => {
    const u = user();
    const first = JSON.parse(fixture('text.json'));
    first.destination = B.botUserId;
    first.events[0].source.userId = u;
    first.events[0].message.id = `${u}-m1`;
    first.events[0].timestamp = Date.now();
    const again = structuredClone(first);
    again.events[0].deliveryContext.isRedelivery = true;
    const r1 = await fetch(`${app.gateway.url}/webhooks/line`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-line-signature': createHmac('sha256', B.secret).update(JSON.stringify(first)).digest('base64'),
      },
      body: JSON.stringify(first),
    });
    expect(await r1.json()).toMatchObject({ ok: true, shopId: 'shop-b', accepted: 1, duplicates: 0 });
    const r2 = await fetch(`${app.gateway.url}/webhooks/line`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-line-signature': createHmac('sha256', B.secret).update(JSON.stringify(again)).digest('base64'),
      },
      body: JSON.stringify(again),
    });
    expect(r2.status).toBe(200);
    expect(await r2.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await MessageModel.countDocuments({ channel: 'line', externalId: `${u}-m1` })).toBe(1);
  });

  it('a fresh event is answered with its reply token; an old one by push with the retry key of the send', async () => {
    const fresh = user();
    expect(await line.deliver(app.gateway.url, A, line.textEvent(A, fresh, 'How long does shipping take?'))).toBe(200);
    const replied = await eventually(() => line.deliveries.find((d) => d.to === fresh), 30_000, 'the reply');
    expect(replied.via).toBe('reply');
    expect((await kbEntryAnswering(replied.messages[0]!.text!, 'en'))?.intent).toBe('shipping_time_cost');

    const late = user();
    const body = line.textEvent(A, late, 'How long does shipping take?', { timestamp: Date.now() - 120_000 });
    expect(await line.deliver(app.gateway.url, A, body)).toBe(200);
    const pushed = await eventually(() => line.deliveries.find((d) => d.to === late), 30_000, 'the push');
    expect(pushed.via).toBe('push');
    const out = await eventually(() => MessageModel.findOne({ workflowId: wf('demo', late), direction: 'out', status: 'sent' }).lean());
    expect(pushed.retryKey).toBe(retryKeyFor(out.externalId));
    expect(out.platformMessageId).toBe(pushed.ids[0]);
  });

  it('the send activity retries a push whose answer was lost: LINE takes the same retry key once, the buyer gets one message', async () => {
    const u = user();
    line.acceptNextPushThenFail();
    const body = line.textEvent(A, u, 'How long does shipping take?', { timestamp: Date.now() - 120_000 });
    expect(await line.deliver(app.gateway.url, A, body)).toBe(200);
    const out = await eventually(
      () => MessageModel.findOne({ workflowId: wf('demo', u), direction: 'out', status: 'sent' }).lean(),
      60_000,
      'sent',
    );
    const pushes = line.calls.filter((c) => c.body.to === u);
    expect(pushes.map((c) => [c.status, c.retryKey])).toEqual([
      [500, retryKeyFor(out.externalId)],
      [409, retryKeyFor(out.externalId)],
    ]);
    expect(line.deliveries.filter((d) => d.to === u)).toHaveLength(1);
    expect(out.platformMessageId).toBe(line.deliveries.find((d) => d.to === u)!.ids[0]);
  });

  it('a Thai question through LINE gets the Thai answer', async () => {
    const u = user();
    expect(await line.deliver(app.gateway.url, A, line.textEvent(A, u, 'ส่งของใช้เวลากี่วันคะ ค่าส่งเท่าไหร่'))).toBe(200);
    const d = await eventually(() => line.deliveries.find((x) => x.to === u), 60_000, 'the reply');
    expect((await kbEntryAnswering(d.messages[0]!.text!, 'th'))?.intent).toBe('shipping_time_cost');
  });

  it('a retried push (same idempotency key) is accepted once: LINE answers 409 and send() reports the first message', async () => {
    const u = await knownBuyer();
    const msg = { text: 'Your parcel left our warehouse.', idempotencyKey: `conv:shop-b:line:${u}:run-1:7` };
    const first = await adapter.send(ref(u, 'shop-b'), msg);
    const again = await adapter.send(ref(u, 'shop-b'), msg);
    expect(again.externalId).toBe(first.externalId);
    expect(line.deliveries.filter((d) => d.to === u)).toHaveLength(1);
    const pushes = line.calls.filter((c) => c.body.to === u);
    expect(pushes.map((c) => [c.status, c.retryKey])).toEqual([
      [200, retryKeyFor(msg.idempotencyKey)],
      [409, retryKeyFor(msg.idempotencyKey)],
    ]);
    expect(pushes[0]!.authorization).toBe(`Bearer ${B.accessToken}`);
    // Another message is another key: sent.
    await adapter.send(ref(u, 'shop-b'), { text: 'Delivered today.', idempotencyKey: `conv:shop-b:line:${u}:run-1:8` });
    expect(line.textsTo(u)).toEqual(['Your parcel left our warehouse.', 'Delivered today.']);
  });

  it('a reply token is used once: two sends on one fresh token → one reply, one push', async () => {
    const u = await knownBuyer();
    const token = line.issueReplyToken(B, u);
    await BuyerModel.updateOne(
      { shopId: 'shop-b', channel: 'line', buyerId: u },
      { $set: { 'replyTo.replyToken': token, 'replyTo.replyTokenAt': Date.now() } },
    );
    await Promise.all([adapter.send(ref(u, 'shop-b'), { text: 'one' }), adapter.send(ref(u, 'shop-b'), { text: 'two' })]);
    expect(
      line.deliveries
        .filter((d) => d.to === u)
        .map((d) => d.via)
        .sort(),
    ).toEqual(['push', 'reply']);
    // Taken by one send only: the other did not try it (and get refused).
    expect(line.calls.filter((c) => c.body.replyToken === token).map((c) => c.status)).toEqual([200]);
    expect((await BuyerModel.findOne({ shopId: 'shop-b', channel: 'line', buyerId: u }).lean())?.replyTo).not.toHaveProperty('replyToken');
  });

  it('a reply token LINE refuses (expired) falls back to push; a stale one is not tried', async () => {
    const u = await knownBuyer({ replyToken: 'expired-or-unknown-token', replyTokenAt: Date.now() });
    await adapter.send(ref(u, 'shop-b'), { text: 'after the refusal' });
    expect(line.calls.filter((c) => c.body.replyToken === 'expired-or-unknown-token').map((c) => c.status)).toEqual([400]);
    expect(line.deliveries.filter((d) => d.to === u).map((d) => d.via)).toEqual(['push']);

    const stale = line.issueReplyToken(B, 'x');
    const v = await knownBuyer({ replyToken: stale, replyTokenAt: Date.now() - 55_000 });
    await adapter.send(ref(v, 'shop-b'), { text: 'stale token' });
    expect(line.calls.filter((c) => c.body.replyToken === stale)).toEqual([]);
    expect(line.deliveries.filter((d) => d.to === v).map((d) => d.via)).toEqual(['push']);
  });

  it('quick replies reach LINE as quick reply buttons on the message', async () => {
    const u = await knownBuyer();
    await adapter.send(ref(u, 'shop-b'), { text: 'Did this answer your question?', quickReplies: ['Yes', 'No, talk to a person please'] });
    const [d] = line.deliveries.filter((x) => x.to === u);
    expect(d!.messages[0]!.quickReply!.items.map((i) => i.action)).toEqual([
      { type: 'message', label: 'Yes', text: 'Yes' },
      { type: 'message', label: 'No, talk to a perso…', text: 'No, talk to a person please' },
    ]);
  });

  it('LINE errors → ChannelSendError: 429 retryable after Retry-After, monthly limit and 4xx final, 401 names the token, 5xx retryable', async () => {
    const errors = JSON.parse(fixture('errors.json')) as Record<
      string,
      { status: number; body: unknown; headers?: Record<string, string> }
    >;
    const u = await knownBuyer();
    const attempt = () => adapter.send(ref(u, 'shop-b'), { text: 'hello' });

    line.failNext({ ...errors.rateLimited!, headers: { 'retry-after': '7' } });
    expect(await sendError(attempt())).toMatchObject({ code: '429', retryable: true, retryAfterMs: 7000 });
    line.failNext(errors.rateLimited!);
    expect(await sendError(attempt())).toMatchObject({ code: '429', retryable: true, retryAfterMs: 2000 });
    line.failNext(errors.monthlyLimit!);
    expect(await sendError(attempt())).toMatchObject({ code: 'quota_exceeded', retryable: false });
    line.failNext(errors.invalidRequest!);
    const invalid = await sendError(attempt());
    expect(invalid).toMatchObject({ code: '400', retryable: false });
    expect(invalid.message).toContain('messages[0].text: May not be empty');
    line.failNext(errors.unauthorized!);
    expect(await sendError(attempt())).toMatchObject({ code: 'unauthorized', retryable: false });
    line.failNext(errors.internal!);
    expect(await sendError(attempt())).toMatchObject({ code: '500', retryable: true });
    expect(await sendError(adapter.send(ref(u, 'no-such-shop'), { text: 'x' }))).toMatchObject({ code: 'unknown_shop', retryable: false });
    expect(line.textsTo(u)).toEqual([]);
  });

  it('logs never contain a channel secret or access token', () => {
    const all = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(5);
    for (const s of [A.secret, B.secret, A.accessToken, B.accessToken]) expect(all).not.toContain(s);
  });
});
