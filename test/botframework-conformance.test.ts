/**
 * The Bot Framework adapter against the channel conformance kit. The Bot Framework is played by
 * local servers (test/setup/botframework-platform.ts): OpenID metadata + signing keys, the Bot
 * Connector at the activity's serviceUrl, and an HTTPS token endpoint for outbound calls. Inbound
 * requests carry JWTs the harness signs; botbuilder validates them for real.
 */
import { BotFrameworkAdapter } from '../bots/botframework/adapter.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startLocalBotFramework, type LocalBotFramework } from './setup/botframework-platform.js';
import { postActivity, webchatMessage } from './setup/botframework-activities.js';

let bf: LocalBotFramework | undefined;
const conv = (buyer: string) => `conv-${buyer}`;

describeChannelConformance('botframework', async () => {
  bf ??= await startLocalBotFramework();
  const p = bf;
  const activityOf = (e: PlatformEvent) =>
    webchatMessage({
      id: e.externalId,
      userId: e.buyerId,
      conversationId: conv(e.buyerId),
      text: e.text,
      serviceUrl: p.serviceUrl,
      botId: p.appId,
    });
  return {
    adapter: new BotFrameworkAdapter({
      shopId: 'demo',
      appId: p.appId,
      appPassword: p.appPassword,
      appType: 'MultiTenant',
      endpoints: { openIdMetadataUrl: p.openIdMetadataUrl, loginUrl: p.loginUrl },
    }),
    shopId: 'demo',
    buyerIdOf: (b) => `webchat:${b}`,
    externalIdOf: (e) => `webchat:${conv(e.buyerId)}:${e.externalId}`,
    deliver: (url, e) => postActivity(url, activityOf(e), p.channelToken()),
    deliverMalformed: (url) => postActivity(url, { text: 'an activity without type, id, conversation…' }, p.channelToken()),
    // Signed by a key that is not in the published metadata, under the published key id.
    deliverForged: (url, e) => postActivity(url, activityOf(e), p.channelToken({ key: 'rogue' })),
    received: async (_url, b) => p.textsIn(conv(b)),
    async teardown() {
      await bf?.close();
      bf = undefined;
    },
  };
});
