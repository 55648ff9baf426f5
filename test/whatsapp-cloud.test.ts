/**
 * WhatsApp Business Cloud API adapter, focused: handshake, signature rejection, multi-message
 * webhooks, status callbacks, media/caption normalization, reply buttons vs text fallback, Graph
 * error mapping. Webhook bodies are Meta's documented payloads (test/fixtures/whatsapp-cloud/,
 * sources in its README); the Graph API is test/fakes/whatsapp-graph.ts; gateway, intake,
 * Temporal and MongoDB are the real ones.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChannelSendError } from '../bots/channel.js';
import { WhatsappCloudAdapter } from '../bots/whatsapp-cloud/adapter.js';
import { whatsappCloudConfig } from '../bots/whatsapp-cloud/config.js';
import { buildMessagePayload, graphError, parseRetryAfter } from '../bots/whatsapp-cloud/graph.js';
import { checkSignature, parseWebhook } from '../bots/whatsapp-cloud/webhook.js';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { BuyerModel } from '../models/buyer.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { startApp, type App } from '../scripts/app.js';
import { freePort } from '../scripts/stack/process.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startFakeGraph, type FakeGraph } from './fakes/whatsapp-graph.js';
import { eventually, signalsInHistory, useFreshDatabase } from './setup/helpers.js';
import { sellerReply } from '../workflows/contract.js';

const APP_SECRET = 'focused-app-secret';
const VERIFY_TOKEN = 'focused-verify-token';
const ACCESS_TOKEN = 'EAAG-focused-token';
const PHONE_A = '106540352242922';
const PHONE_B = '106540352242923';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/whatsapp-cloud/${name}`, import.meta.url), 'utf8');
/** Computed here from the documented scheme, not with the adapter's helper. */
const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
const mediaUrl = (id: string) => `https://graph.example/v21.0/${id}`;

describe('webhook signature (X-Hub-Signature-256)', () => {
  const body = fixture('text-message.json');
  it('accepts the HMAC-SHA256 of the exact bytes with the app secret', () => {
    expect(checkSignature(Buffer.from(body), sign(body), APP_SECRET)).toBe('ok');
  });
  it('rejects a missing header, a wrong secret, a tampered body and a malformed header', () => {
    expect(checkSignature(Buffer.from(body), undefined, APP_SECRET)).toBe('missing');
    expect(checkSignature(Buffer.from(body), sign(body, 'other'), APP_SECRET)).toBe('invalid');
    expect(checkSignature(Buffer.from(body.replace('another color', 'other colour')), sign(body), APP_SECRET)).toBe('invalid');
    expect(checkSignature(Buffer.from(body), sign(body).replace('sha256=', 'sha1='), APP_SECRET)).toBe('invalid');
    expect(checkSignature(Buffer.from(body), sign(body).slice(0, -2), APP_SECRET)).toBe('invalid');
  });
});

describe('webhook normalization', () => {
  it("Meta's text example: buyer = wa_id, external id = wamid, text = body", () => {
    const p = parseWebhook(JSON.parse(fixture('text-message.json')), mediaUrl);
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]).toMatchObject({
      phoneNumberId: PHONE_A,
      buyerId: '16505551234',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      text: 'Does it come in another color?',
      attachments: [],
      profileName: 'Sheena Nelson',
    });
  });

  it('several entries and messages in one body: every message, reactions and other fields ignored', () => {
    const p = parseWebhook(JSON.parse(fixture('multi-entry.json')), mediaUrl);
    expect(p.messages.map((m) => [m.phoneNumberId, m.buyerId, m.externalId])).toEqual([
      [PHONE_A, '16505551234', 'wamid.MULTI.1'],
      [PHONE_A, '16505559876', 'wamid.MULTI.2'],
      [PHONE_B, '5215512345678', 'wamid.MULTI.4'],
    ]);
    expect(p.ignored.map((i) => i.reason)).toEqual(['message type reaction', 'field account_update']);
  });

  it('a text message whose text.body is missing or not a string is ignored, not recorded empty (found by the fuzz pass)', () => {
    for (const text of [undefined, {}, { body: 42 }, { body: '  ' }, 'hello']) {
      const body = JSON.parse(fixture('text-message.json'));
      const m = body.entry[0].changes[0].value.messages[0];
      if (text === undefined) delete m.text;
      else m.text = text;
      const p = parseWebhook(body, mediaUrl);
      expect(p.messages, JSON.stringify(text)).toEqual([]);
      expect(p.ignored.map((i) => i.reason)).toEqual(['text message without text']);
    }
  });

  it('media: the caption becomes the text, the media an attachment with type and mime type', () => {
    const p = parseWebhook(JSON.parse(fixture('image-with-caption.json')), mediaUrl);
    expect(p.messages[0]).toMatchObject({
      text: 'The box arrived like this',
      attachments: [{ type: 'image', mimeType: 'image/jpeg', url: mediaUrl('1003383421387256') }],
    });
    expect(p.messages[1]).toMatchObject({
      text: 'my invoice',
      attachments: [
        {
          type: 'document',
          mimeType: 'application/pdf',
          name: 'invoice-1042.pdf',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387257',
        },
      ],
    });
  });

  it('reply buttons: the tapped title is the text; reply context and button id are kept', () => {
    const p = parseWebhook(JSON.parse(fixture('interactive-button-reply.json')), mediaUrl);
    expect(p.messages[0]).toMatchObject({
      text: 'Track my order',
      context: { messageId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1QjJGRjI1RDY0RkE4Nzg4QzcA', from: '15550783881', buttonId: 'qr-2' },
    });
  });

  it('statuses: delivered / read / failed with the error', () => {
    const p = parseWebhook(JSON.parse(fixture('statuses.json')), mediaUrl);
    expect(p.messages).toEqual([]);
    expect(p.statuses.map((s) => [s.id, s.status, s.errors[0]?.code])).toEqual([
      ['wamid.STATUS.DELIVERED', 'delivered', undefined],
      ['wamid.STATUS.READ', 'read', undefined],
      ['wamid.STATUS.FAILED', 'failed', 131047],
    ]);
  });

  it("smb_message_echoes (Meta's syntax): a message the business sent from the app, for the customer `to` in wa_id form", () => {
    const p = parseWebhook(JSON.parse(fixture('smb-message-echoes.json')), mediaUrl);
    expect(p.messages).toEqual([]);
    expect(p.ignored).toEqual([]);
    expect(p.echoes).toEqual([
      expect.objectContaining({
        phoneNumberId: PHONE_A,
        buyerId: '16505551234',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        text: "Here's the info you requested! https://www.meta.com/quest/quest-3/",
        attachments: [],
        platformTimestamp: '1739321024',
      }),
    ]);
  });

  it('smb_message_echoes: media caption, interactive body and template name; revokes and reactions ignored', () => {
    const body = JSON.parse(fixture('smb-message-echoes.json'));
    const base = body.entry[0].changes[0].value.message_echoes[0];
    body.entry[0].changes[0].value.message_echoes = [
      {
        ...base,
        id: 'wamid.E.img',
        type: 'image',
        text: undefined,
        image: { id: '555', mime_type: 'image/jpeg', caption: 'Your size chart' },
      },
      { ...base, id: 'wamid.E.int', type: 'interactive', text: undefined, interactive: { type: 'button', body: { text: 'Which size?' } } },
      { ...base, id: 'wamid.E.tpl', type: 'template', text: undefined, template: { name: 'order_update' } },
      { ...base, id: 'wamid.E.rev', type: 'revoke', text: undefined, revoke: { original_message_id: 'wamid.E.img' } },
      { ...base, id: 'wamid.E.rea', type: 'reaction', text: undefined, reaction: { message_id: 'wamid.X', emoji: '👍' } },
      { ...base, id: 'wamid.E.bad', to: undefined },
    ];
    const p = parseWebhook(body, mediaUrl);
    expect(p.echoes.map((e) => [e.externalId, e.buyerId, e.text, e.attachments])).toEqual([
      ['wamid.E.img', '16505551234', 'Your size chart', [{ type: 'image', mimeType: 'image/jpeg', url: mediaUrl('555') }]],
      ['wamid.E.int', '16505551234', 'Which size?', []],
      ['wamid.E.tpl', '16505551234', '', [{ type: 'other', name: 'template order_update' }]],
    ]);
    expect(p.ignored.map((i) => i.reason)).toEqual([
      'echo: message type revoke',
      'echo: message type reaction',
      'message echo without to/id/type',
    ]);
  });

  it('something that is not a WhatsApp Business Account webhook throws', () => {
    expect(() => parseWebhook({ object: 'page', entry: [] }, mediaUrl)).toThrow(/whatsapp_business_account/);
    expect(() => parseWebhook({ object: 'whatsapp_business_account', entry: [{ changes: 'x' }] }, mediaUrl)).toThrow(/changes/);
  });
});

describe('outbound payloads', () => {
  it('up to 3 quick replies of at most 20 characters become interactive reply buttons', () => {
    const p = buildMessagePayload('16505551234', {
      text: 'What would you like to do?',
      quickReplies: ['Track my order', 'Return', 'Talk to a human'],
    });
    expect(p).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'What would you like to do?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'qr-1', title: 'Track my order' } },
            { type: 'reply', reply: { id: 'qr-2', title: 'Return' } },
            { type: 'reply', reply: { id: 'qr-3', title: 'Talk to a human' } },
          ],
        },
      },
    });
  });

  it('too many options, or a title over 20 characters, falls back to text listing the options', () => {
    const four = buildMessagePayload('1', { text: 'Rate us', quickReplies: ['1', '2', '3', '4'] });
    expect(four).toMatchObject({ type: 'text', text: { body: 'Rate us\n\n1. 1\n2. 2\n3. 3\n4. 4' } });
    const long = buildMessagePayload('1', { text: 'Pick one', quickReplies: ['Yes', 'Where is my parcel now?'] });
    expect(long).toMatchObject({ type: 'text', text: { body: 'Pick one\n\n1. Yes\n2. Where is my parcel now?' } });
    expect(buildMessagePayload('1', { text: 'Plain' })).toMatchObject({ type: 'text', text: { body: 'Plain', preview_url: false } });
  });
});

describe('Graph API error mapping', () => {
  const errors = JSON.parse(fixture('graph-errors.json')) as Record<string, { status: number; body: unknown }>;
  const map = (code: string, retryAfter?: string) => graphError(errors[code]!.status, errors[code]!.body, retryAfter);

  it('rate limits are retryable after a delay; Retry-After wins when given', () => {
    expect(map('130429')).toMatchObject({ code: '130429', retryable: true, retryAfterMs: 5000 });
    expect(map('131056')).toMatchObject({ code: '131056', retryable: true, retryAfterMs: 6000 });
    expect(map('130429', '12')).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
    expect(graphError(429, null)).toMatchObject({ code: '429', retryable: true, retryAfterMs: 5000 });
  });

  it('the 24-hour window and an expired token are permanent', () => {
    expect(map('131047')).toMatchObject({ code: '131047', retryable: false });
    expect(map('131047').message).toMatch(/24 hours/);
    expect(map('190')).toMatchObject({ code: '190', retryable: false });
    expect(map('190').message).toMatch(/SORA_WHATSAPP_CLOUD_ACCESS_TOKEN/);
  });

  it('server-side errors are retried with the normal backoff', () => {
    expect(map('131000')).toMatchObject({ code: '131000', retryable: true, retryAfterMs: undefined });
    expect(graphError(503, null)).toMatchObject({ code: '503', retryable: true });
    expect(graphError(400, { error: { code: 99999, message: 'new' } })).toMatchObject({ code: '99999', retryable: false });
  });

  it('Retry-After as seconds or HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now())).toBeGreaterThan(8000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('settings', () => {
  it('names every missing variable for whatsapp-cloud', () => {
    let err: unknown;
    try {
      loadConfig({ SORA_CHANNELS: 'whatsapp-cloud', SORA_WHATSAPP_CLOUD_SHOPS: 'abc' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'whatsapp-cloud: SORA_WHATSAPP_CLOUD_APP_SECRET: SORA_WHATSAPP_CLOUD_APP_SECRET is required when whatsapp-cloud is enabled (Meta app → App settings → Basic → App secret)',
      'whatsapp-cloud: SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: SORA_WHATSAPP_CLOUD_VERIFY_TOKEN is required when whatsapp-cloud is enabled (any secret string; enter the same in the webhook settings of the Meta app)',
      'whatsapp-cloud: SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: SORA_WHATSAPP_CLOUD_ACCESS_TOKEN is required when whatsapp-cloud is enabled (a System User access token with whatsapp_business_messaging)',
      'whatsapp-cloud: SORA_WHATSAPP_CLOUD_SHOPS: "abc" is not of the form phoneNumberId:shopId',
    ]);
  });

  it('reads the shop map and the Graph defaults', () => {
    const c = whatsappCloudConfig({
      SORA_WHATSAPP_CLOUD_APP_SECRET: 's',
      SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: 'v',
      SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: 't',
      SORA_WHATSAPP_CLOUD_SHOPS: `${PHONE_A}:demo, ${PHONE_B}:other`,
    });
    expect(c).toMatchObject({
      shops: { [PHONE_A]: 'demo', [PHONE_B]: 'other' },
      graphUrl: 'https://graph.facebook.com',
      graphVersion: 'v21.0',
    });
    expect(() =>
      whatsappCloudConfig({
        SORA_WHATSAPP_CLOUD_APP_SECRET: 's',
        SORA_WHATSAPP_CLOUD_VERIFY_TOKEN: 'v',
        SORA_WHATSAPP_CLOUD_ACCESS_TOKEN: 't',
      }),
    ).toThrow(/SORA_WHATSAPP_CLOUD_DEFAULT_SHOP/);
  });
});

describe('through the gateway', () => {
  let app: App;
  let graph: FakeGraph;
  let errGraph: FakeGraph;
  const hook = () => `${app.gateway.url}/webhooks/whatsapp-cloud`;
  const post = (body: string, signature?: string) =>
    fetch(hook(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body,
    });

  beforeAll(async () => {
    await useFreshDatabase('sora_whatsapp_cloud');
    await seedDemoShop();
    graph = await startFakeGraph(ACCESS_TOKEN);
    errGraph = await startFakeGraph(ACCESS_TOKEN);
    app = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      gatewayPort: 0,
      relayIntervalMs: 600_000,
      adapters: [
        new WhatsappCloudAdapter({
          appSecret: APP_SECRET,
          verifyToken: VERIFY_TOKEN,
          accessToken: ACCESS_TOKEN,
          shops: { [PHONE_A]: 'demo', [PHONE_B]: 'demo' },
          graphUrl: graph.url,
          graphVersion: 'v21.0',
        }),
      ],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await graph?.close();
    await errGraph?.close();
    await disconnectMongo();
  });

  it('verification handshake: echoes hub.challenge for the right token, 403 otherwise', async () => {
    const q = (mode: string, token: string) =>
      fetch(`${hook()}?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    const ok = await q('subscribe', VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await q('subscribe', 'wrong')).status).toBe(403);
    expect((await q('unsubscribe', VERIFY_TOKEN)).status).toBe(403);
  });

  it('a missing signature is 401, a wrong one 403, and nothing is recorded', async () => {
    const body = fixture('text-message.json');
    expect((await post(body)).status).toBe(401);
    expect((await post(body, sign(body, 'not-the-secret'))).status).toBe(403);
    expect((await post(body.replace('another color', 'a discount'), sign(body))).status).toBe(403);
    expect(await MessageModel.countDocuments({ channel: 'whatsapp-cloud' })).toBe(0);
  });

  it('records every message of a multi-entry webhook; a redelivery records nothing more', async () => {
    const body = fixture('multi-entry.json');
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, duplicates: 0, ignored: 2 });
    const recs = await MessageModel.find({ channel: 'whatsapp-cloud', direction: 'in' }).sort({ externalId: 1 }).lean();
    expect(recs.map((r) => [r.externalId, r.buyerId, r.shopId, r.text, r.signalled])).toEqual([
      ['wamid.MULTI.1', '16505551234', 'demo', 'Does it come in another color?', true],
      ['wamid.MULTI.2', '16505559876', 'demo', 'Where is my parcel?', true],
      ['wamid.MULTI.4', '5215512345678', 'demo', '¿Hacen envíos a México?', true],
    ]);
    const buyer = await BuyerModel.findOne({ channel: 'whatsapp-cloud', buyerId: '5215512345678' }).lean();
    expect(buyer?.replyTo).toEqual({ phoneNumberId: PHONE_B, waId: '5215512345678' });

    const again = await post(body, sign(body));
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await MessageModel.countDocuments({ channel: 'whatsapp-cloud', direction: 'in' })).toBe(3);
    // The replies to these buyers come back from the business number each one wrote to.
    await eventually(
      () => graph.sent.some((c) => c.phoneNumberId === PHONE_B && c.body.to === '5215512345678'),
      30_000,
      'reply to 5215512345678',
    );
  });

  // ---- human takeover: replies typed in the WhatsApp Business app (coexistence) reach the conversation
  const ECHO_ID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=';
  const wfOf = (buyerId: string) => `conv:demo:whatsapp-cloud:${buyerId}`;
  /** The documented echo fixture, with another id / recipient / text. */
  const echo = (o: { id?: string; to?: string; text?: string } = {}) => {
    const body = JSON.parse(fixture('smb-message-echoes.json'));
    const e = body.entry[0].changes[0].value.message_echoes[0];
    Object.assign(e, { ...(o.id ? { id: o.id } : {}), ...(o.to ? { to: o.to } : {}), ...(o.text ? { text: { body: o.text } } : {}) });
    return JSON.stringify(body);
  };

  it('a reply typed in the WhatsApp Business app (smb_message_echoes) reaches the running conversation as sellerReply, once', async () => {
    // 16505551234 wrote earlier (multi-entry): their conversation is running.
    const body = echo();
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, seller: 1, noConversation: 0, ownEchoes: 0 });
    const rec = await MessageModel.findOne({ channel: 'whatsapp-cloud', externalId: ECHO_ID }).lean();
    expect(rec).toMatchObject({
      direction: 'out',
      author: 'seller',
      status: 'sent',
      buyerId: '16505551234',
      workflowId: wfOf('16505551234'),
      signalled: true,
    });
    const text = "Here's the info you requested! https://www.meta.com/quest/quest-3/";
    expect(await signalsInHistory(app.client, wfOf('16505551234'), sellerReply)).toEqual([
      { externalId: ECHO_ID, text, at: expect.any(String) },
    ]);

    expect(await (await post(body, sign(body))).json()).toMatchObject({ accepted: 0, duplicates: 1, seller: 0 });
    expect(await MessageModel.countDocuments({ channel: 'whatsapp-cloud', externalId: ECHO_ID })).toBe(1);
    expect(await signalsInHistory(app.client, wfOf('16505551234'), sellerReply)).toHaveLength(1);
    // The customer's reply address stays the one their own message gave.
    expect((await BuyerModel.findOne({ channel: 'whatsapp-cloud', buyerId: '16505551234' }).lean())?.replyTo).toEqual({
      phoneNumberId: PHONE_A,
      waId: '16505551234',
    });
  });

  it('an echo of our own Cloud API send is not a seller message', async () => {
    const ours = await eventually(
      () => MessageModel.findOne({ workflowId: wfOf('16505559876'), direction: 'out', author: 'bot', status: 'sent' }).lean(),
      30_000,
      "the bot's reply to 16505559876",
    );
    expect(ours.platformMessageId).toMatch(/^wamid\.FAKE/);
    const body = echo({ id: ours.platformMessageId!, to: '16505559876', text: ours.text });
    expect(await (await post(body, sign(body))).json()).toMatchObject({ accepted: 0, seller: 0, ownEchoes: 1 });
    expect(await MessageModel.countDocuments({ channel: 'whatsapp-cloud', author: 'seller', workflowId: wfOf('16505559876') })).toBe(0);
    expect(await signalsInHistory(app.client, wfOf('16505559876'), sellerReply)).toEqual([]);
  });

  it('an echo to a customer with no running conversation is recorded, and starts none', async () => {
    const body = echo({ id: 'wamid.ECHO.NOCONV', to: '+1 (555) 000-9999', text: 'Hi! Your order is ready for pickup.' });
    expect(await (await post(body, sign(body))).json()).toMatchObject({ accepted: 1, seller: 1, noConversation: 1 });
    expect(await MessageModel.findOne({ externalId: 'wamid.ECHO.NOCONV' }).lean()).toMatchObject({
      author: 'seller',
      buyerId: '15550009999',
      signalled: true,
    });
    await expect(app.client.workflow.getHandle(wfOf('15550009999')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('Temporal down: every message of the batch is recorded, the answer is 503, the relay delivers later', async () => {
    const adapter = new WhatsappCloudAdapter({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      accessToken: ACCESS_TOKEN,
      shops: { [PHONE_A]: 'demo', [PHONE_B]: 'demo' },
      graphUrl: graph.url,
      graphVersion: 'v21.0',
    });
    const down = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: `127.0.0.1:${await freePort()}`, namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      adapters: [adapter],
      relayIntervalMs: 600_000,
      signalDeadlineMs: 1500,
    });
    try {
      const body = fixture('multi-entry.json').replaceAll('wamid.MULTI.', 'wamid.DOWN.');
      const res = await fetch(`${down.gateway.url}/webhooks/whatsapp-cloud`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
        body,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      const recs = await MessageModel.find({ externalId: /^wamid\.DOWN\./ })
        .sort({ externalId: 1 })
        .lean();
      expect(recs.map((r) => [r.externalId, r.signalled])).toEqual([
        ['wamid.DOWN.1', false],
        ['wamid.DOWN.2', false],
        ['wamid.DOWN.4', false],
      ]);
    } finally {
      await down.stop();
    }
    // Temporal reachable again (the healthy app's intake): the relay signals all three.
    await eventually(async () => {
      await app.intake.relayOnce(0);
      return (await MessageModel.countDocuments({ externalId: /^wamid\.DOWN\./, signalled: true })) === 3;
    });
  });

  it('media with a caption is recorded as text + attachment', async () => {
    const body = fixture('image-with-caption.json');
    expect((await post(body, sign(body))).status).toBe(200);
    const rec = await MessageModel.findOne({ externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgB=' }).lean();
    expect(rec).toMatchObject({ text: 'The box arrived like this', attachments: [{ type: 'image', mimeType: 'image/jpeg' }] });
    expect((rec!.attachments[0] as { url: string }).url).toBe(`${graph.url}/v21.0/1003383421387256`);
  });

  it('a message for an unmapped business number is acknowledged and ignored', async () => {
    const body = fixture('text-message.json').replace(PHONE_A, '999999999999').replace('RgA=', 'RgZ=');
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, skipped: 1 });
  });

  it('status callbacks: a failed status marks our outbound record failed, delivered/read change nothing', async () => {
    const base = {
      direction: 'out' as const,
      channel: 'whatsapp-cloud',
      shopId: 'demo',
      buyerId: '16505551234',
      workflowId: 'wf',
      author: 'bot' as const,
      status: 'sent' as const,
    };
    await MessageModel.create({ ...base, externalId: 'k1', platformMessageId: 'wamid.STATUS.DELIVERED' });
    await MessageModel.create({ ...base, externalId: 'k2', platformMessageId: 'wamid.STATUS.FAILED' });
    const body = fixture('statuses.json');
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 0, statuses: 3 });
    expect(await MessageModel.findOne({ externalId: 'k1' }).lean()).toMatchObject({ status: 'sent', error: null });
    const failed = await MessageModel.findOne({ externalId: 'k2' }).lean();
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(/131047.*Re-engagement message.*24 hours/);
  });

  it('send(): reply buttons, then Graph refusals become ChannelSendErrors', async () => {
    const sender = new WhatsappCloudAdapter({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      accessToken: ACCESS_TOKEN,
      shops: {},
      defaultShop: 'demo',
      graphUrl: errGraph.url,
      graphVersion: 'v21.0',
      log: () => {},
    });
    const ref = { channel: 'whatsapp-cloud', shopId: 'demo', buyerId: '16505551234', workflowId: 'wf' };
    const ok = await sender.send(ref, { text: 'Anything else?', quickReplies: ['Yes', 'No'] });
    expect(ok.externalId).toMatch(/^wamid\.FAKE/);
    const last = errGraph.sent.at(-1)!;
    expect(last).toMatchObject({ version: 'v21.0', phoneNumberId: PHONE_A, authorization: `Bearer ${ACCESS_TOKEN}` });
    expect(last.body).toMatchObject({ to: '16505551234', type: 'interactive' });

    const errors = JSON.parse(fixture('graph-errors.json')) as Record<string, { status: number; body: unknown }>;
    errGraph.failNext(errors['131056']!, errors['131047']!, { ...errors['130429']!, headers: { 'retry-after': '7' } });
    const attempt = () =>
      sender.send(ref, { text: 'hello' }).then(
        () => null,
        (e: unknown) => e,
      );
    expect(await attempt()).toMatchObject({ code: '131056', retryable: true, retryAfterMs: 6000 });
    const permanent = await attempt();
    expect(permanent).toBeInstanceOf(ChannelSendError);
    expect(permanent).toMatchObject({ code: '131047', retryable: false });
    expect(await attempt()).toMatchObject({ code: '130429', retryable: true, retryAfterMs: 7000 });

    const unknownBuyer = await sender.send({ ...ref, buyerId: 'never-wrote' }, { text: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(unknownBuyer).toMatchObject({ code: 'no_reply_address', retryable: false });
  });
});
