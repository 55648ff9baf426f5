/**
 * The LINE Messaging API adapter against the channel conformance kit. The platform is
 * test/fakes/line-platform.ts (reply/push endpoints, signed webhook deliveries with fresh reply
 * tokens); the webhook bodies follow the documented text message event (test/fixtures/line/).
 */
import { LineAdapter } from '../bots/line/adapter.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startLinePlatform, type LineBot, type LinePlatform } from './fakes/line-platform.js';

const BOT: LineBot = {
  shopId: 'demo',
  botUserId: 'U8e742f61d673b39c7fff3cecb7536ef0',
  secret: '8c570fa6dd201bb328f1c1eac23a96d8',
  accessToken: 'conformance-channel-access-token+/=',
};

let started: Promise<LinePlatform> | undefined;
const platform = () => (started ??= startLinePlatform([BOT]));

const text = (p: LinePlatform, e: PlatformEvent) => p.textEvent(BOT, e.buyerId, e.text, { messageId: e.externalId });

describeChannelConformance('line', async () => {
  const p = await platform();
  return {
    adapter: new LineAdapter({
      channels: [{ shopId: BOT.shopId, secret: BOT.secret, accessToken: BOT.accessToken }],
      apiUrl: p.url,
      dataUrl: p.url,
      replyWindowMs: 50_000,
    }),
    shopId: BOT.shopId,
    deliver: (url, e) => p.deliver(url, BOT, text(p, e)),
    deliverMalformed: (url) => p.deliver(url, BOT, JSON.stringify({ destination: BOT.botUserId, events: [{ type: 'message' }] })),
    deliverForged: (url, e) => p.deliver(url, BOT, text(p, e), { secret: 'not-the-channel-secret' }),
    received: async (_url, buyerId) => p.textsTo(buyerId),
    teardown: async () => {
      await (await platform()).close();
      started = undefined;
    },
  };
});
