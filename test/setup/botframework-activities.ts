/** Bot Framework activities for tests, built from the saved payloads in test/fixtures/botframework/ (see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type RawActivity = Record<string, unknown> & {
  type: string;
  id: string;
  serviceUrl: string;
  channelId: string;
  from: { id: string; name?: string };
  conversation: { id: string; isGroup?: boolean };
  recipient: { id: string; name?: string };
  text?: string;
};

export function botFrameworkFixture<T = RawActivity>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/botframework/${name}`, import.meta.url)), 'utf8')) as T;
}

/** A Web Chat message (shape of activity-message-webchat.json) to the local connector. */
export function webchatMessage(o: {
  id: string;
  userId: string;
  conversationId: string;
  text: string;
  serviceUrl: string;
  botId: string;
}): RawActivity {
  const a = botFrameworkFixture('activity-message-webchat.json');
  a.id = o.id;
  a.from = { id: o.userId, name: 'You' };
  a.conversation = { id: o.conversationId };
  a.recipient = { id: o.botId, name: 'demo-shop-bot' };
  a.serviceUrl = o.serviceUrl;
  a.text = o.text;
  a.timestamp = new Date().toISOString();
  return a;
}

export async function postActivity(gatewayUrl: string, activity: unknown, token?: string): Promise<number> {
  const r = await fetch(`${gatewayUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
  });
  await r.arrayBuffer();
  return r.status;
}
