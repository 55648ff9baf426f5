/**
 * The web chat adapter against the channel conformance kit; the "platform" is a browser (POST + SSE).
 * The kit names its buyers, so each one chats in a store-verified session (customerId = the kit's
 * buyer id, signed with the demo shop's identity secret); a forged event is one with a bad token.
 */
import { WebchatAdapter, webchatExternalId } from '../bots/webchat.js';
import { customerHash } from '../bots/webchat/identity.js';
import { webchatIdentitySecret } from '../models/webchat-identity-secret.js';
import { describeChannelConformance } from './kit/channel-conformance.js';
import { testSecrets, webchatPost, webchatSession, type WebchatTestSession } from './setup/helpers.js';
import { openSse } from './setup/sse.js';

let secret = '';
const sessions = new Map<string, Promise<WebchatTestSession>>();
/** The kit buyer's session (one per buyer, shared by every gateway the kit starts: sessions live in MongoDB). */
const sessionOf = (url: string, buyerId: string) => {
  let s = sessions.get(buyerId);
  if (!s) {
    s = webchatSession(url, 'demo', { customerId: buyerId, customerHash: customerHash(secret, buyerId) });
    sessions.set(buyerId, s);
  }
  return s;
};

describeChannelConformance('webchat', () => ({
  adapter: new WebchatAdapter({ pollMs: 200, secrets: testSecrets() }),
  shopId: 'demo',
  async setup() {
    secret = (await webchatIdentitySecret('demo', testSecrets(), { rotate: true }))!;
  },
  deliver: async (url, e) => (await webchatPost(url, await sessionOf(url, e.buyerId), { messageId: e.externalId, text: e.text })).status,
  externalIdOf: (e) => webchatExternalId('demo', e.buyerId, e.externalId),
  deliverMalformed: async (url) => (await webchatPost(url, await sessionOf(url, 'kit-malformed'), { text: '' })).status,
  deliverForged: async (url, e) =>
    (await webchatPost(url, { auth: { authorization: 'Bearer forged-token-0123456789abcdef' } }, { messageId: e.externalId, text: e.text }))
      .status,
  async received(url, buyerId) {
    // Read the whole stream from the beginning, as a reconnecting browser would.
    const s = openSse(`${url}/webchat/demo/events?after=000000000000000000000000`, (await sessionOf(url, buyerId)).auth);
    await s.opened;
    await new Promise((r) => setTimeout(r, 400));
    s.close();
    return s.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).text as string);
  },
}));
