/**
 * Telegram adapter, beyond the conformance kit: what counts as a buyer message (saved Bot API
 * payloads, test/fixtures/telegram/), webhook secret, long polling against a local getUpdates,
 * reply keyboard, typing action, setWebhook, and how Bot API refusals map onto activity retries.
 */
import express from 'express';
import type { Update, UserFromGetMe } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapters } from '../bots/channels.js';
import { ConfigError, loadConfig } from '../infra/config/index.js';
import { ChannelSendError, conversationWorkflowId, type ConversationRef } from '../bots/channel.js';
import { MAX_TEXT, SECRET_HEADER, splitText, TelegramAdapter } from '../bots/telegram/adapter.js';
import { messageShapeProblem, normalizeUpdate } from '../bots/telegram/normalize.js';
import { toActivityFailure } from '../activities/messaging/send.js';
import { disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { seedDemoShop } from '../scripts/demo/demo-shop.js';
import { startApp, type App } from '../scripts/app.js';
import { log } from '../infra/log.js';
import { eventually, useFreshDatabase } from './setup/helpers.js';
import { startLocalBotApi, type BotApiError, type LocalBotApi } from './setup/telegram-bot-api.js';
import { postJson, privateTextUpdate, telegramFixture } from './setup/telegram-updates.js';

const TOKEN = '7000000001:AAH-focused-local-token-01234';
const SECRET = 'focused_secret-1';
const me: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Demo Shop',
  username: 'demo_shop_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

describe('telegram: which updates are buyer messages (saved payloads)', () => {
  const norm = (name: string, groupChats: 'ignore' | 'mentions' | 'all' = 'ignore') =>
    normalizeUpdate(telegramFixture(name), { shopId: 'demo', me, groupChats });

  it('private text: buyer = user id, externalId = chat:message, replyTo = chat', () => {
    const n = norm('update-private-text.json');
    expect(n.kind).toBe('message');
    if (n.kind !== 'message') return;
    expect(n.message).toMatchObject({
      channel: 'telegram',
      shopId: 'demo',
      buyerId: '5544332211',
      externalId: '5544332211:52',
      text: 'How long does shipping take?',
      replyTo: { chatId: 5544332211 },
    });
    expect(n.message.attachments).toBeUndefined();
  });

  it('captions become the text; photo, document and video become attachments with type, MIME type and size', () => {
    const photo = norm('update-photo-caption.json');
    const doc = norm('update-document-caption.json');
    const video = norm('update-video-caption.json');
    if (photo.kind !== 'message' || doc.kind !== 'message' || video.kind !== 'message') throw new Error('expected messages');
    expect(photo.message.text).toBe('The parcel arrived damaged, see the box');
    // The largest PhotoSize, not the thumbnail.
    expect(photo.message.attachments).toEqual([{ type: 'image', mimeType: 'image/jpeg', sizeBytes: 118417 }]);
    expect(doc.message.text).toBe('Invoice for order 10423');
    expect(doc.message.attachments).toEqual([
      { type: 'document', mimeType: 'application/pdf', sizeBytes: 48211, name: 'invoice-10423.pdf' },
    ]);
    expect(video.message.attachments).toEqual([{ type: 'video', mimeType: 'video/mp4', sizeBytes: 2483321, name: 'unboxing.mp4' }]);
  });

  it('a reply to the bot is a normal buyer message (the quoted message stays in raw)', () => {
    const n = norm('update-reply.json');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message.text).toBe('It is 10423');
    expect((n.message.raw as Update).message?.reply_to_message?.message_id).toBe(56);
  });

  it('ignores edited messages, channel posts and messages from bots', () => {
    expect(norm('update-edited-message.json')).toEqual({ kind: 'ignore', reason: 'edited message (the original was answered)' });
    expect(norm('update-channel-post.json')).toEqual({ kind: 'ignore', reason: 'channel post (not a buyer)' });
    expect(norm('update-from-bot.json', 'all')).toEqual({ kind: 'ignore', reason: 'message from a bot' });
  });

  it('group chats: ignored by default; "mentions" answers an @mention, per person in that group', () => {
    expect(norm('update-group-mention.json').kind).toBe('ignore');
    const n = norm('update-group-mention.json', 'mentions');
    if (n.kind !== 'message') throw new Error(n.reason);
    expect(n.message).toMatchObject({
      buyerId: '-4012345678:5544332211',
      externalId: '-4012345678:302',
      text: 'how long does shipping take?',
      replyTo: { chatId: -4012345678, replyToMessageId: 302 },
    });
    const plain = telegramFixture<Update>('update-group-mention.json');
    plain.message!.text = 'anyone here?';
    delete plain.message!.entities;
    expect(normalizeUpdate(plain, { shopId: 'demo', me, groupChats: 'mentions' }).kind).toBe('ignore');
    expect(normalizeUpdate(plain, { shopId: 'demo', me, groupChats: 'all' }).kind).toBe('message');
  });

  it('a message with a field of the wrong type is named (the webhook answers 400, found by the fuzz pass)', () => {
    const u = telegramFixture<Update & { message: Record<string, unknown> }>('update-private-text.json');
    expect(messageShapeProblem(u)).toBeUndefined();
    expect(messageShapeProblem({ ...u, message: { ...u.message, text: 42 } })).toBe('message.text: Expected string, received number');
    expect(messageShapeProblem({ ...u, message: { ...u.message, chat: null } })).toMatch(/^message\.chat: /);
    expect(messageShapeProblem({ ...u, message: { ...u.message, from: {} } })).toMatch(/message\.from\.id: Required/);
    expect(messageShapeProblem({ update_id: 1, edited_message: { text: 42 } } as { message?: unknown })).toBeUndefined(); // ignored kinds are not checked
  });

  it('splits text longer than 4096 characters at a line break', () => {
    const text = `${'a'.repeat(3000)}\n${'b'.repeat(3000)}`;
    expect(splitText(text, MAX_TEXT)).toEqual(['a'.repeat(3000), 'b'.repeat(3000)]);
    expect(splitText('short', MAX_TEXT)).toEqual(['short']);
  });
});

describe('telegram: settings', () => {
  it('names every missing or invalid variable', () => {
    let err: unknown;
    try {
      loadConfig({ SORA_CHANNELS: 'telegram', SORA_TELEGRAM_BOT_TOKEN: 'nope', SORA_TELEGRAM_GROUP_CHATS: 'some' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'telegram: SORA_TELEGRAM_BOT_TOKEN: SORA_TELEGRAM_BOT_TOKEN does not look like a bot token (123456789:AA…)',
      'telegram: SORA_TELEGRAM_SHOP_ID: SORA_TELEGRAM_SHOP_ID is required (the shop this bot answers for)',
      'telegram: SORA_TELEGRAM_GROUP_CHATS: SORA_TELEGRAM_GROUP_CHATS must be ignore, mentions or all',
      'telegram: SORA_TELEGRAM_WEBHOOK_SECRET: SORA_TELEGRAM_WEBHOOK_SECRET is required in webhook mode (or set SORA_TELEGRAM_MODE=polling for local use)',
    ]);
  });

  it('polling mode needs only token and shop', () => {
    const [a] = createAdapters(
      loadConfig({
        SORA_CHANNELS: 'telegram',
        SORA_TELEGRAM_BOT_TOKEN: TOKEN,
        SORA_TELEGRAM_SHOP_ID: 'demo',
        SORA_TELEGRAM_MODE: 'polling',
      }).channels,
    );
    expect(a).toBeInstanceOf(TelegramAdapter);
  });
});

describe('telegram: adapter in the gateway (local Bot API server)', () => {
  let api: LocalBotApi;
  let app: App;
  let adapter: TelegramAdapter;
  let nextUser = 200_000_001;
  let nextMsg = 1;
  const hook = () => `${app.gateway.url}/telegram/demo/webhook`;
  const deliver = (u: unknown, secret: string | null = SECRET) => postJson(hook(), u, secret === null ? {} : { [SECRET_HEADER]: secret });
  const refOf = (userId: number): ConversationRef => ({
    channel: 'telegram',
    shopId: 'demo',
    buyerId: String(userId),
    workflowId: conversationWorkflowId({ shopId: 'demo', channel: 'telegram', buyerId: String(userId) }),
  });
  /** A buyer who wrote once (so a reply address is recorded), for send() tests. */
  const buyer = async () => {
    const id = nextUser++;
    expect(await deliver(privateTextUpdate(id, nextMsg++, 'hello'))).toBe(200);
    return id;
  };
  const sendError = async (err: BotApiError) => {
    const id = await buyer();
    api.failNext('sendMessage', err);
    return adapter.send(refOf(id), { text: 'Your parcel left the warehouse.' }).then(
      () => null,
      (e: unknown) => e,
    );
  };

  beforeAll(async () => {
    await useFreshDatabase('sora_telegram');
    await seedDemoShop();
    api = await startLocalBotApi(TOKEN);
    adapter = new TelegramAdapter({ token: TOKEN, shopId: 'demo', mode: 'webhook', webhookSecret: SECRET, apiRoot: api.apiRoot });
    // No worker: nothing answers on its own, so every Bot API call below is the test's own.
    app = await startApp({
      mongoUri: inject('mongoUri'),
      temporal: { address: inject('temporalAddress'), namespace: 'default' },
      worker: false,
      gatewayPort: 0,
      adapters: [adapter],
      relayIntervalMs: 600_000,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await api?.close();
    await disconnectMongo();
  });

  it('rejects a webhook call without or with a wrong secret header (401) and records nothing', async () => {
    const u = privateTextUpdate(nextUser++, nextMsg++, 'hi');
    expect(await deliver(u, null)).toBe(401);
    expect(await deliver(u, 'wrong-secret')).toBe(401);
    expect(await deliver(u, `${SECRET}x`)).toBe(401);
    expect(await MessageModel.countDocuments({ channel: 'telegram', externalId: `${u.message!.chat.id}:${u.message!.message_id}` })).toBe(
      0,
    );
    expect(await postJson(`${app.gateway.url}/telegram/other-shop/webhook`, u, { [SECRET_HEADER]: SECRET })).toBe(404);
  });

  it('records a photo with caption: caption as text, attachment with type, MIME type and size', async () => {
    const u = telegramFixture<Update>('update-photo-caption.json');
    u.update_id = 731600000 + nextMsg;
    u.message!.message_id = nextMsg++;
    expect(await deliver(u)).toBe(200);
    const rec = await MessageModel.findOne({ channel: 'telegram', externalId: `5544332211:${u.message!.message_id}` }).lean();
    expect(rec).toMatchObject({ buyerId: '5544332211', text: 'The parcel arrived damaged, see the box' });
    expect(rec!.attachments).toEqual([{ type: 'image', mimeType: 'image/jpeg', sizeBytes: 118417 }]);
  });

  it('answers 200 to updates it ignores (so Telegram does not redeliver them) and records nothing', async () => {
    const before = await MessageModel.countDocuments({ channel: 'telegram' });
    for (const f of ['update-edited-message.json', 'update-channel-post.json', 'update-from-bot.json', 'update-group-mention.json'])
      expect(await deliver(telegramFixture(f))).toBe(200);
    expect(await MessageModel.countDocuments({ channel: 'telegram' })).toBe(before);
  });

  it('shows "typing" in the chat once a buyer message is accepted', async () => {
    const id = await buyer();
    await eventually(() =>
      api.calls.some((c) => c.method === 'sendChatAction' && Number(c.params.chat_id) === id && c.params.action === 'typing'),
    );
  });

  it('sends quick replies as a one-time reply keyboard and returns chat:message_id', async () => {
    const id = await buyer();
    const res = await app.registry.send(refOf(id), {
      text: 'Did this answer your question?',
      quickReplies: ['Yes', 'No, talk to a person'],
    });
    const call = api.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === id).at(-1)!;
    expect(call.params.text).toBe('Did this answer your question?');
    expect(call.params.reply_markup).toEqual({
      keyboard: [[{ text: 'Yes' }], [{ text: 'No, talk to a person' }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    expect(res.externalId).toMatch(new RegExp(`^${id}:\\d+$`));
    // Without quick replies: no keyboard.
    await app.registry.send(refOf(id), { text: 'Thanks!' });
    expect(
      api.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === id).at(-1)!.params.reply_markup,
    ).toBeUndefined();
  });

  it('sends a text over 4096 characters as several messages', async () => {
    const id = await buyer();
    await adapter.send(refOf(id), { text: `${'x'.repeat(4000)}\n${'y'.repeat(200)}` });
    expect(api.sentTexts(id)).toEqual(['x'.repeat(4000), 'y'.repeat(200)]);
  });

  it('429 with retry_after → retryable ChannelSendError with that delay (and the activity retries after it)', async () => {
    const e = await sendError(telegramFixture<BotApiError>('error-429.json'));
    expect(e).toBeInstanceOf(ChannelSendError);
    expect(e).toMatchObject({ channel: 'telegram', code: '429', retryable: true, retryAfterMs: 7000 });
    expect(toActivityFailure(e)).toMatchObject({ type: 'ChannelSendError', nonRetryable: false, nextRetryDelay: 7000 });
  });

  it('403 "bot was blocked by the user" and 400 "chat not found" → non-retryable', async () => {
    const blocked = await sendError(telegramFixture<BotApiError>('error-403-blocked.json'));
    expect(blocked).toMatchObject({ code: '403', retryable: false });
    expect((blocked as Error).message).toContain('bot was blocked by the user');
    expect(toActivityFailure(blocked)).toMatchObject({ nonRetryable: true });
    const notFound = await sendError(telegramFixture<BotApiError>('error-400-chat-not-found.json'));
    expect(notFound).toMatchObject({ code: '400', retryable: false });
    const serverError = await sendError({ error_code: 502, description: 'Bad Gateway' });
    expect(serverError).toMatchObject({ code: '502', retryable: true, retryAfterMs: undefined });
  });

  it('a buyer never seen has no reply address: non-retryable', async () => {
    await expect(adapter.send(refOf(999), { text: 'x' })).rejects.toMatchObject({ code: 'no_reply_address', retryable: false });
  });

  it('registers its webhook (URL, secret, message updates only) when a webhook URL is set', async () => {
    const a = new TelegramAdapter({
      token: TOKEN,
      shopId: 'demo',
      mode: 'webhook',
      webhookSecret: SECRET,
      webhookUrl: 'https://shop.example.com/telegram/demo/webhook',
      apiRoot: api.apiRoot,
    });
    await a.start({ app: express(), intake: app.intake, log });
    expect(api.webhook()).toEqual({ url: 'https://shop.example.com/telegram/demo/webhook', secret_token: SECRET });
    expect(api.calls.find((c) => c.method === 'setWebhook')!.params.allowed_updates).toEqual(['message']);
    await a.stop();
  });

  it('polling mode: removes the webhook, receives updates from getUpdates (redelivery is a no-op) and stops cleanly', async () => {
    const a = new TelegramAdapter({ token: TOKEN, shopId: 'demo', mode: 'polling', apiRoot: api.apiRoot, pollTimeoutSeconds: 5 });
    const calls0 = api.calls.length;
    await a.start({ app: express(), intake: app.intake, log });
    expect(api.calls.slice(calls0).some((c) => c.method === 'deleteWebhook')).toBe(true);
    expect(api.webhook()).toBeNull();
    const id = nextUser++;
    const u = privateTextUpdate(id, nextMsg++, 'Where is my order?');
    api.queueUpdate(u as unknown as Record<string, unknown>);
    const rec = await eventually(() =>
      MessageModel.findOne({ channel: 'telegram', externalId: `${id}:${u.message!.message_id}`, signalled: true }).lean(),
    );
    expect(rec).toMatchObject({ buyerId: String(id), text: 'Where is my order?' });
    // The same message again under a new update_id (e.g. after a restart without confirmation): one record.
    api.queueUpdate({ ...u, update_id: u.update_id + 1 } as unknown as Record<string, unknown>);
    await eventually(() => api.calls.some((c) => c.method === 'getUpdates' && Number(c.params.offset) === u.update_id + 2));
    expect(await MessageModel.countDocuments({ channel: 'telegram', externalId: `${id}:${u.message!.message_id}` })).toBe(1);
    const t0 = Date.now();
    await a.stop();
    expect(Date.now() - t0).toBeLessThan(3000); // the pending long poll is aborted, not waited out
    const polls = api.calls.filter((c) => c.method === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(api.calls.filter((c) => c.method === 'getUpdates').length).toBe(polls);
  });
});
