/**
 * The TikTok Shop customer service adapter against the channel conformance kit. The platform is
 * played by test/fakes/tiktok-partner.ts (Partner API + authorization host) and by signed
 * webhook POSTs built from the documented "(14) New message" event
 * (test/fixtures/tiktok/new-message-text.json). The shop is authorized through the adapter's own
 * OAuth callback, as a seller would.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { TiktokAdapter } from '../bots/tiktok/adapter.js';
import { webhookSignature } from '../infra/platforms/tiktok/signing.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startFakeTiktok, type FakeTiktok } from './fakes/tiktok-partner.js';
import { testSecrets } from './setup/helpers.js';

const APP_KEY = 'conformance-app-key';
const APP_SECRET = 'conformance-app-secret';
const TIKTOK_SHOP = '7494049642642441621';
const fixture = readFileSync(new URL('./fixtures/tiktok/new-message-text.json', import.meta.url), 'utf8');

let tiktok: Promise<FakeTiktok> | undefined;
const platform = () => (tiktok ??= startFakeTiktok(APP_KEY, APP_SECRET));
const conversationOf = (buyerId: string) => `conv-${buyerId}`;

/** The documented New message event with this event's buyer, id and text. */
function webhookBody(e: PlatformEvent): string {
  const body = JSON.parse(fixture);
  Object.assign(body.data, {
    message_id: e.externalId,
    conversation_id: conversationOf(e.buyerId),
    content: JSON.stringify({ content: e.text }),
    sender: { im_user_id: e.buyerId, role: 'BUYER' },
  });
  return JSON.stringify(body);
}

const post = (url: string, body: string, authorization?: string) =>
  fetch(`${url}/webhooks/tiktok`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  }).then((r) => r.status);

describeChannelConformance('tiktok', async () => {
  const t = await platform();
  return {
    adapter: new TiktokAdapter({
      secrets: testSecrets(),
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      shops: { [TIKTOK_SHOP]: 'demo' },
      apiUrl: t.url,
      authUrl: t.url,
    }),
    shopId: 'demo',
    async setup(url) {
      const code = t.authCode({
        openId: 'seller-open-id',
        name: 'Sora Demo Store',
        shops: [{ id: TIKTOK_SHOP, name: 'Sora Demo Store', region: 'GB', cipher: 'GCP_conformance_cipher' }],
      });
      const res = await fetch(`${url}/tiktok/oauth/callback?code=${encodeURIComponent(code)}&state=kit`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, shops: [{ tiktokShopId: TIKTOK_SHOP, shopId: 'demo' }] });
    },
    deliver: (url, e) => {
      const body = webhookBody(e);
      return post(url, body, webhookSignature(body, APP_KEY, APP_SECRET));
    },
    deliverMalformed: (url) => {
      const body = JSON.stringify({ type: 14, shop_id: TIKTOK_SHOP, data: { message_id: 'x', type: 'TEXT' } });
      return post(url, body, webhookSignature(body, APP_KEY, APP_SECRET));
    },
    deliverForged: (url, e) => {
      const body = webhookBody(e);
      return post(url, body, webhookSignature(body, APP_KEY, 'not-the-app-secret'));
    },
    received: async (_url, buyerId) => t.textsIn(conversationOf(buyerId)),
    teardown: async () => {
      await (await platform()).close();
      tiktok = undefined;
    },
  };
});
