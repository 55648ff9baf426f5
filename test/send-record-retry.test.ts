/**
 * The send activity when MongoDB goes away between the platform's acceptance and the "sent" write:
 * the platform has the message, so the write is retried while MongoDB restarts instead of failing
 * the activity (whose retry would deliver a second copy: Telegram has no idempotency key). The
 * Telegram adapter talks to the local Bot API server; the MongoDB-wire server is this file's own,
 * killed with SIGKILL when the Bot API accepts the message, and restarted on the same data file.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSendToBuyer, type SendResult } from '../activities/messaging/send.js';
import { ChannelRegistry } from '../bots/registry.js';
import { TelegramAdapter } from '../bots/telegram/adapter.js';
import { BuyerModel } from '../models/buyer.js';
import { connectMongo, disconnectMongo } from '../models/connection.js';
import { MessageModel } from '../models/message.js';
import { FaultStack } from './faults/stack.js';
import { startLocalBotApi, type LocalBotApi } from './setup/telegram-bot-api.js';
import { botReply } from './setup/helpers.js';

const TOKEN = '7000000011:AAH-send-retry-token-0123456';
const CHAT = 424242;

describe('send: MongoDB restarted between delivery and the "sent" write', () => {
  let stack: FaultStack;
  let api: LocalBotApi;

  beforeAll(async () => {
    stack = new FaultStack(mkdtempSync(path.join(os.tmpdir(), 'sora-send-retry-')));
    await stack.allocatePorts();
    await stack.startMongo();
    await connectMongo(stack.mongoUri);
    api = await startLocalBotApi(TOKEN);
  }, 120_000);

  afterAll(async () => {
    await disconnectMongo().catch(() => undefined);
    await stack?.stopAll();
    await api?.close();
  }, 60_000);

  it('delivers once and records it as sent once MongoDB is back', { timeout: 90_000 }, async () => {
    const now = new Date();
    await BuyerModel.create({
      shopId: 's1',
      channel: 'telegram',
      buyerId: String(CHAT),
      replyTo: { chatId: CHAT },
      firstSeenAt: now,
      lastSeenAt: now,
    });
    const registry = new ChannelRegistry().register(
      new TelegramAdapter({ token: TOKEN, shopId: 's1', mode: 'polling', apiRoot: api.apiRoot, typing: false }),
    );
    let restarted: Promise<void> = Promise.resolve();
    api.beforeAnswer('sendMessage', async () => {
      await stack.killMongo();
      restarted = new Promise((r) => setTimeout(r, 500)).then(() => stack.startMongo());
    });
    // A JVM restart on a loaded 2-core machine can take several seconds: give the write ≈ 31 s.
    const send = makeSendToBuyer(registry, {}, 'test@host', [500, 1000, 2000, 4000, 8000, 8000, 8000]);
    const ref = { channel: 'telegram', shopId: 's1', buyerId: String(CHAT), workflowId: `conv:s1:telegram:${CHAT}` };
    const message = botReply('Your parcel left the warehouse today.');
    const out: SendResult = await new MockActivityEnvironment().run(send, { ref, key: 'send-retry:1', message });
    await restarted;

    expect(out.alreadySent).toBe(false);
    expect(api.sentTexts(CHAT)).toEqual([message.text]);
    const rec = await MessageModel.findOne({ channel: 'telegram', externalId: 'send-retry:1' }).lean();
    expect(rec?.status).toBe('sent');
    expect(rec?.platformMessageId).toBe(`${CHAT}:1001`);
    expect(rec?.deliveredBy).toBe('test@host');

    // The activity's retry (as Temporal would run it) finds it sent and does not deliver again.
    const again: SendResult = await new MockActivityEnvironment().run(send, { ref, key: 'send-retry:1', message });
    expect(again.alreadySent).toBe(true);
    expect(api.sentTexts(CHAT)).toHaveLength(1);
  });
});
