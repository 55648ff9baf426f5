/**
 * The Telegram adapter (webhook mode) against the channel conformance kit. Telegram is played by a
 * local Bot API server (test/setup/telegram-bot-api.ts) and by webhook POSTs of Update payloads
 * shaped like test/fixtures/telegram/update-private-text.json.
 */
import { SECRET_HEADER, TelegramAdapter } from '../bots/telegram/adapter.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startLocalBotApi, type LocalBotApi } from './setup/telegram-bot-api.js';
import { postJson, privateTextUpdate } from './setup/telegram-updates.js';

const TOKEN = '7000000001:AAH-kit-local-token-0123456789';
const SECRET = 'kit_webhook-secret-42';
let api: LocalBotApi | undefined;

// Telegram ids are numbers: the kit's buyer and event ids get one each, the same on redelivery.
const numbers = (start: number) => {
  const m = new Map<string, number>();
  return (k: string) => {
    if (!m.has(k)) m.set(k, start + m.size);
    return m.get(k)!;
  };
};
const userId = numbers(100_000_001);
const messageId = numbers(1);
const updateOf = (e: PlatformEvent) =>
  privateTextUpdate(userId(e.buyerId), messageId(e.externalId), e.text, 900_000_000 + messageId(e.externalId));

describeChannelConformance('telegram', async () => {
  api ??= await startLocalBotApi(TOKEN);
  const hook = (url: string) => `${url}/telegram/demo/webhook`;
  return {
    adapter: new TelegramAdapter({ token: TOKEN, shopId: 'demo', mode: 'webhook', webhookSecret: SECRET, apiRoot: api.apiRoot }),
    shopId: 'demo',
    buyerIdOf: (b) => String(userId(b)),
    externalIdOf: (e) => `${userId(e.buyerId)}:${messageId(e.externalId)}`,
    deliver: (url, e) => postJson(hook(url), updateOf(e), { [SECRET_HEADER]: SECRET }),
    deliverMalformed: (url) => postJson(hook(url), { message: { text: 'an update without update_id' } }, { [SECRET_HEADER]: SECRET }),
    deliverForged: (url, e) => postJson(hook(url), updateOf(e), { [SECRET_HEADER]: 'not-the-secret' }),
    received: async (_url, b) => api!.sentTexts(userId(b)),
    async teardown() {
      await api?.close();
      api = undefined;
    },
  };
});
