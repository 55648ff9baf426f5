/**
 * Buyer drivers for the fault suite: how one buyer message reaches the gateway, and how the test
 * reads what the platform delivered back. A driver behaves like a platform that redelivers: a post
 * answered 5xx, 429 or 408, or not answered at all (the app is down), is sent again with the same id
 * until it is accepted (2xx); any other 4xx is final.
 *
 * The default is Telegram (webhook mode, the local Bot API server of test/setup/telegram-bot-api.ts
 * plays Telegram); `webchatDriver` is the same contract over the web chat session API.
 */
import { SECRET_HEADER } from '../../bots/telegram/adapter.js';
import type { LocalBotApi } from '../setup/telegram-bot-api.js';
import { privateTextUpdate } from '../setup/telegram-updates.js';

export interface BuyerDriver {
  /** The channel id the app records (messages.channel). */
  channel: string;
  /** The buyerId the app records for buyer number `b`. */
  buyerId(b: number): string;
  /** The externalId the app records for message `n` of buyer `b`. */
  externalId(b: number, n: number): string;
  /** Prepare buyer `b` (e.g. open a session). */
  open?(gatewayUrl: string, b: number): Promise<void>;
  /** One delivery attempt: the HTTP status, or throws when the gateway cannot be reached. */
  post(gatewayUrl: string, b: number, n: number, text: string): Promise<number>;
  /** Texts the platform delivered to buyer `b`, in order. */
  delivered(b: number): string[];
}

export interface Delivery {
  /** Final status (2xx accepted, 4xx refused), after `attempts` tries. */
  status: number;
  attempts: number;
  /** Statuses / network errors seen before the final answer, e.g. { 503: 2, 500: 1, network: 4 }. */
  refusals: Record<string, number>;
}

/** Post until the gateway answers 2xx or 4xx (a platform's redelivery), at most `giveUpMs`. */
export async function deliverWithRetry(
  driver: BuyerDriver,
  gatewayUrl: () => string,
  b: number,
  n: number,
  text: string,
  giveUpMs = 240_000,
): Promise<Delivery> {
  const refusals: Record<string, number> = {};
  const deadline = Date.now() + giveUpMs;
  for (let attempts = 1; ; attempts++) {
    let status: number | 'network';
    try {
      status = await driver.post(gatewayUrl(), b, n, text);
    } catch {
      status = 'network';
    }
    // 429 (a rate limit) and 408 are "later", like 5xx; any other 4xx is final.
    if (status !== 'network' && status < 500 && status !== 429 && status !== 408) return { status, attempts, refusals };
    refusals[status] = (refusals[status] ?? 0) + 1;
    if (Date.now() > deadline) return { status: status === 'network' ? 0 : status, attempts, refusals };
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
  }
}

/** Telegram buyers: user ids 600000000 + b, message ids 1, 2, … per buyer, a new update_id per attempt's message. */
export function telegramDriver(api: LocalBotApi, secret: string, shopId = 'demo'): BuyerDriver {
  const user = (b: number) => 600_000_000 + b;
  return {
    channel: 'telegram',
    buyerId: (b) => String(user(b)),
    externalId: (b, n) => `${user(b)}:${n}`,
    async post(url, b, n, text) {
      // The same update (same update_id) on every redelivery, as Telegram does.
      const update = privateTextUpdate(user(b), n, text, b * 100_000 + n);
      const r = await fetch(`${url}/telegram/${shopId}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: secret },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      return r.status;
    },
    delivered: (b) => api.sentTexts(user(b)),
  };
}

/**
 * Web chat buyers over the session API (POST /webchat/:shopId/sessions → {token, buyerId}; then
 * `Authorization: Bearer` on posts). DEPENDS ON THE MERGE of the web chat sessions branch: the
 * session route does not exist before it. Replies are read from the buyer's event stream by the
 * caller (`delivered` is filled by `onReply`).
 */
export function webchatDriver(
  shopId = 'demo',
): BuyerDriver & { sessions: Map<number, { token: string; buyerId: string }>; onReply(b: number, text: string): void } {
  const sessions = new Map<number, { token: string; buyerId: string }>();
  const replies = new Map<number, string[]>();
  const session = (b: number) => {
    const s = sessions.get(b);
    if (!s) throw new Error(`buyer ${b} has no web chat session (call open first)`);
    return s;
  };
  return {
    channel: 'webchat',
    sessions,
    buyerId: (b) => session(b).buyerId,
    externalId: (b, n) => `${shopId}:${session(b).buyerId}:m${n}`,
    async open(url, b) {
      const r = await fetch(`${url}/webchat/${shopId}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (r.status >= 300) throw new Error(`POST /webchat/${shopId}/sessions answered ${r.status}: ${await r.text()}`);
      sessions.set(b, (await r.json()) as { token: string; buyerId: string });
    },
    async post(url, b, n, text) {
      const s = session(b);
      const r = await fetch(`${url}/webchat/${shopId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ buyerId: s.buyerId, messageId: `m${n}`, text }),
        signal: AbortSignal.timeout(30_000),
      });
      await r.arrayBuffer();
      return r.status;
    },
    delivered: (b) => replies.get(b) ?? [],
    onReply(b, text) {
      replies.set(b, [...(replies.get(b) ?? []), text]);
    },
  };
}
