/**
 * The WhatsApp Business Cloud API adapter against the channel conformance kit. The platform is
 * played by test/fakes/whatsapp-graph.ts (Graph API) and by signed webhook POSTs built from Meta's
 * documented text-message payload (test/fixtures/whatsapp-cloud/text-message.json).
 */
import { readFileSync } from 'node:fs';
import { WhatsappCloudAdapter } from '../bots/whatsapp-cloud/adapter.js';
import { signBody } from '../bots/whatsapp-cloud/webhook.js';
import { describeChannelConformance, type PlatformEvent } from './kit/channel-conformance.js';
import { startFakeGraph, type FakeGraph } from './fakes/whatsapp-graph.js';

const APP_SECRET = 'conformance-app-secret';
const ACCESS_TOKEN = 'EAAG-conformance-token';
const PHONE_NUMBER_ID = '106540352242922';
const fixture = readFileSync(new URL('./fixtures/whatsapp-cloud/text-message.json', import.meta.url), 'utf8');

let graph: Promise<FakeGraph> | undefined;
const platform = () => (graph ??= startFakeGraph(ACCESS_TOKEN));

/** Meta's documented text-message webhook with this event's buyer, id and text. */
function webhookBody(e: PlatformEvent): string {
  const body = JSON.parse(fixture);
  const value = body.entry[0].changes[0].value;
  value.contacts[0].wa_id = e.buyerId;
  Object.assign(value.messages[0], { from: e.buyerId, id: e.externalId, text: { body: e.text } });
  return JSON.stringify(body);
}

const post = (url: string, body: string, signature?: string) =>
  fetch(`${url}/webhooks/whatsapp-cloud`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  }).then((r) => r.status);

describeChannelConformance('whatsapp-cloud', async () => {
  const g = await platform();
  return {
    adapter: new WhatsappCloudAdapter({
      appSecret: APP_SECRET,
      verifyToken: 'conformance-verify',
      accessToken: ACCESS_TOKEN,
      shops: { [PHONE_NUMBER_ID]: 'demo' },
      graphUrl: g.url,
      graphVersion: 'v21.0',
    }),
    shopId: 'demo',
    deliver: (url, e) => {
      const body = webhookBody(e);
      return post(url, body, signBody(body, APP_SECRET));
    },
    deliverMalformed: (url) => {
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: 'not-a-list' }] });
      return post(url, body, signBody(body, APP_SECRET));
    },
    deliverForged: (url, e) => {
      const body = webhookBody(e);
      return post(url, body, signBody(body, 'not-the-app-secret'));
    },
    received: async (_url, buyerId) => g.textsTo(buyerId),
    teardown: async () => {
      await (await platform()).close();
      graph = undefined;
    },
  };
});
