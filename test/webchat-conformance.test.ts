/** The web chat adapter against the channel conformance kit; the "platform" is a browser (POST + SSE). */
import { WebchatAdapter, webchatExternalId } from '../bots/webchat.js';
import { describeChannelConformance } from './kit/channel-conformance.js';
import { openSse } from './setup/sse.js';

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then((r) => r.status);

describeChannelConformance('webchat', () => ({
  adapter: new WebchatAdapter({ pollMs: 200 }),
  shopId: 'demo',
  deliver: (url, e) => post(`${url}/webchat/demo/messages`, { buyerId: e.buyerId, messageId: e.externalId, text: e.text }),
  externalIdOf: (e) => webchatExternalId('demo', e.buyerId, e.externalId),
  deliverMalformed: (url) => post(`${url}/webchat/demo/messages`, { buyerId: 'x', text: '' }),
  async received(url, buyerId) {
    // Read the whole stream from the beginning, as a reconnecting browser would.
    const s = openSse(`${url}/webchat/demo/events?buyerId=${buyerId}&after=000000000000000000000000`);
    await s.opened;
    await new Promise((r) => setTimeout(r, 400));
    s.close();
    return s.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).text as string);
  },
}));
