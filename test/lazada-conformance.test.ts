/**
 * The Lazada Chat adapter against the channel conformance kit. The platform is played by
 * test/fakes/lazada-open-platform.ts (IM API + authorization host, re-checking every signature) and
 * by signed pushes built from test/fixtures/lazada/push-im-text.json. The seller is authorized
 * through the adapter's own OAuth callback, as a seller would.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { LazadaAdapter } from '../bots/lazada/adapter.js';
import { pushSignature } from '../infra/platforms/lazada/signing.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startFakeLazada, type FakeLazada } from './fakes/lazada-open-platform.js';
import { testSecrets } from './setup/helpers.js';

const APP_KEY = '100001';
const APP_SECRET = 'conformance-lazada-secret';
const SELLER = '100094063';
const fixture = readFileSync(new URL('./fixtures/lazada/push-im-text.json', import.meta.url), 'utf8');

let lazada: Promise<FakeLazada> | undefined;
const platform = () => (lazada ??= startFakeLazada(APP_KEY, APP_SECRET));
const sessionOf = (buyerId: string) => `${SELLER}_2_${buyerId}_1_103`;

function pushBody(e: PlatformEvent): string {
  const body = JSON.parse(fixture);
  Object.assign(body.data, {
    message_id: e.externalId,
    session_id: sessionOf(e.buyerId),
    content: JSON.stringify({ txt: e.text }),
    from_account_id: e.buyerId,
    send_time: Date.now(),
  });
  return JSON.stringify(body);
}

const post = (url: string, body: string, authorization?: string) =>
  fetch(`${url}/webhooks/lazada`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  }).then((r) => r.status);

describeChannelConformance('lazada', async () => {
  const t = await platform();
  return {
    adapter: new LazadaAdapter({
      secrets: testSecrets(),
      appKey: APP_KEY,
      appSecret: APP_SECRET,
      sellers: { [SELLER]: 'demo' },
      apiUrl: t.url,
      authUrl: t.url,
      pullIntervalMs: 0,
    }),
    shopId: 'demo',
    async setup(url) {
      const res = await fetch(`${url}/lazada/oauth/callback?code=${encodeURIComponent(t.authCode(SELLER, 'sg'))}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, sellers: [{ sellerId: SELLER, country: 'sg', shopId: 'demo' }] });
    },
    deliver: (url, e) => {
      const body = pushBody(e);
      return post(url, body, pushSignature(body, APP_KEY, APP_SECRET));
    },
    deliverMalformed: (url) => {
      const body = JSON.stringify({ seller_id: SELLER, message_type: 2, data: { message_id: 'x', template_id: 1 } });
      return post(url, body, pushSignature(body, APP_KEY, APP_SECRET));
    },
    deliverForged: (url, e) => {
      const body = pushBody(e);
      return post(url, body, pushSignature(body, APP_KEY, 'not-the-app-secret'));
    },
    received: async (_url, buyerId) => t.textsIn(sessionOf(buyerId)),
    teardown: async () => {
      await (await platform()).close();
      lazada = undefined;
    },
  };
});
