/**
 * A stand-in for the LINE Platform: the Messaging API endpoints the `line` adapter calls
 * (`POST /v2/bot/message/reply`, `POST /v2/bot/message/push` on api.line.me) and the webhook side
 * (signed event deliveries to our gateway). Plain node:http, shapes of the Messaging API reference
 * (test/fixtures/line/README.md): Bearer channel access token per bot, reply tokens single use and
 * expiring, X-Line-Retry-Key (hex UUID; a repeated key answers 409 with x-line-accepted-request-id),
 * `{sentMessages: [{id, quoteToken}]}` answers, `{message, details}` errors. It records every call
 * and can be told to fail the next ones.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LineBot {
  /** Our shop (only for the tests' bookkeeping). */
  shopId: string;
  /** Bot user id: the webhook's `destination`. */
  botUserId: string;
  secret: string;
  accessToken: string;
}

export interface LineCall {
  path: string;
  botUserId: string | undefined;
  authorization: string | undefined;
  retryKey: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

export interface LineDelivery {
  via: 'reply' | 'push';
  botUserId: string;
  /** The user the messages went to. */
  to: string;
  retryKey?: string;
  messages: { type: string; text?: string; quickReply?: { items: { action: { type: string; label: string; text: string } }[] } }[];
  ids: string[];
}

export interface FailAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LinePlatform {
  url: string;
  calls: LineCall[];
  deliveries: LineDelivery[];
  /** Texts user `to` received (reply or push, every message object). */
  textsTo(to: string): string[];
  /** A reply token LINE would put in an event from `userId` to `bot` (valid `ttlMs`, single use). */
  issueReplyToken(bot: LineBot, userId: string): string;
  /** A webhook body with one text message event from `userId` (fresh reply token, timestamp now unless given). */
  textEvent(bot: LineBot, userId: string, text: string, o?: { messageId?: string; timestamp?: number; redelivery?: boolean }): string;
  /** POST a body to the gateway as LINE does (x-line-signature with `secret`, default the bot's). Resolves to the HTTP status. */
  deliver(gatewayUrl: string, bot: LineBot, body: string, o?: { path?: string; secret?: string | null }): Promise<number>;
  /** The next API calls answer with these, in order. */
  failNext(...answers: FailAnswer[]): void;
  /** The next push is accepted (delivered, its retry key kept) but answered 500, as when the answer is lost. */
  acceptNextPushThenFail(): void;
  close(): Promise<void>;
}

/** base64 HMAC-SHA256 of the body with the channel secret: the documented x-line-signature. */
export function lineSignature(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export async function startLinePlatform(bots: LineBot[], o: { replyTokenTtlMs?: number } = {}): Promise<LinePlatform> {
  const ttl = o.replyTokenTtlMs ?? 60_000;
  const calls: LineCall[] = [];
  const deliveries: LineDelivery[] = [];
  const failures: FailAnswer[] = [];
  const replyTokens = new Map<string, { botUserId: string; userId: string; issuedAt: number; used: boolean }>();
  const retryKeys = new Map<string, { requestId: string; ids: string[] }>();
  let lostAnswers = 0;
  let n = 0;
  const nextId = () => String(461230966842064897n + BigInt(++n));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = randomUUID();
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        call.status = status;
        res.writeHead(status, { 'content-type': 'application/json', 'x-line-request-id': requestId, ...headers });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '').split('?')[0]!;
      const auth = req.headers.authorization;
      const bot = bots.find((b) => auth === `Bearer ${b.accessToken}`);
      const retryKey = typeof req.headers['x-line-retry-key'] === 'string' ? req.headers['x-line-retry-key'] : undefined;
      let body: Record<string, unknown> = {};
      const call: LineCall = { path, botUserId: bot?.botUserId, authorization: auth, retryKey, body, status: 0 };
      if (req.method !== 'POST' || !['/v2/bot/message/reply', '/v2/bot/message/push'].includes(path)) {
        calls.push(call);
        return reply(404, { message: 'Not found' });
      }
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        call.body = body;
      } catch {
        calls.push(call);
        return reply(400, { message: 'The request body has 1 error(s)', details: [{ message: 'Invalid JSON', property: '' }] });
      }
      calls.push(call);
      const queued = failures.shift();
      if (queued) return reply(queued.status, queued.body, queued.headers);
      if (!bot)
        return reply(401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' });
      const problem = checkMessages(body.messages);
      if (problem) return reply(400, { message: 'The request body has 1 error(s)', details: [problem] });
      const messages = body.messages as LineDelivery['messages'];

      if (path === '/v2/bot/message/reply') {
        if (retryKey) return reply(400, { message: 'X-Line-Retry-Key is not supported by this API' });
        const t = replyTokens.get(String(body.replyToken));
        if (!t || t.used || t.botUserId !== bot.botUserId || Date.now() - t.issuedAt > ttl)
          return reply(400, { message: 'Invalid reply token' });
        t.used = true;
        const ids = messages.map(() => nextId());
        deliveries.push({ via: 'reply', botUserId: bot.botUserId, to: t.userId, messages, ids });
        return reply(200, { sentMessages: ids.map((id) => ({ id, quoteToken: `q-${id}` })) });
      }
      // push
      if (typeof body.to !== 'string' || !body.to)
        return reply(400, { message: 'The request body has 1 error(s)', details: [{ message: 'May not be empty', property: 'to' }] });
      if (retryKey !== undefined && !UUID.test(retryKey)) return reply(400, { message: 'The value of X-Line-Retry-Key is invalid' });
      const seenKey = retryKey ? retryKeys.get(`${bot.botUserId}|${retryKey}`) : undefined;
      if (seenKey)
        return reply(
          409,
          { message: 'The retry key is already accepted', sentMessages: seenKey.ids.map((id) => ({ id, quoteToken: `q-${id}` })) },
          { 'x-line-accepted-request-id': seenKey.requestId },
        );
      const ids = messages.map(() => nextId());
      if (retryKey) retryKeys.set(`${bot.botUserId}|${retryKey}`, { requestId, ids });
      deliveries.push({ via: 'push', botUserId: bot.botUserId, to: body.to, retryKey, messages, ids });
      if (lostAnswers > 0) {
        lostAnswers--;
        return reply(500, { message: 'An error occurred in the server.' });
      }
      return reply(200, { sentMessages: ids.map((id) => ({ id, quoteToken: `q-${id}` })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const issueReplyToken = (bot: LineBot, userId: string) => {
    const token = randomBytes(16).toString('hex');
    replyTokens.set(token, { botUserId: bot.botUserId, userId, issuedAt: Date.now(), used: false });
    return token;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    deliveries,
    textsTo: (to) => deliveries.filter((d) => d.to === to).flatMap((d) => d.messages.map((m) => m.text ?? '')),
    issueReplyToken,
    textEvent(bot, userId, text, e = {}) {
      return JSON.stringify({
        destination: bot.botUserId,
        events: [
          {
            replyToken: issueReplyToken(bot, userId),
            type: 'message',
            mode: 'active',
            timestamp: e.timestamp ?? Date.now(),
            source: { type: 'user', userId },
            webhookEventId: randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase(),
            deliveryContext: { isRedelivery: e.redelivery ?? false },
            message: { id: e.messageId ?? String(Date.now()) + n++, type: 'text', quoteToken: 'q3Plxr4AgKd...', text },
          },
        ],
      });
    },
    deliver: (gatewayUrl, bot, body, d = {}) => {
      const secret = d.secret === undefined ? bot.secret : d.secret;
      return fetch(`${gatewayUrl}${d.path ?? '/webhooks/line'}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'LineBotWebhook/2.0',
          ...(secret !== null ? { 'x-line-signature': lineSignature(body, secret) } : {}),
        },
        body,
      }).then((r) => r.status);
    },
    failNext(...answers) {
      failures.push(...answers);
    },
    acceptNextPushThenFail() {
      lostAnswers++;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The documented limits of the messages array (reply and push) and of quick replies. */
function checkMessages(messages: unknown): { message: string; property: string } | undefined {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5)
    return { message: 'Size must be between 1 and 5', property: 'messages' };
  for (const [i, m] of messages.entries()) {
    const msg = m as { type?: unknown; text?: unknown; quickReply?: { items?: unknown } };
    if (msg.type !== 'text') return { message: 'only text messages are supported by this stand-in', property: `messages[${i}].type` };
    if (typeof msg.text !== 'string' || !msg.text.trim()) return { message: 'May not be empty', property: `messages[${i}].text` };
    if ([...msg.text].length > 5000) return { message: 'Length must be between 0 and 5000', property: `messages[${i}].text` };
    if (msg.quickReply) {
      const items = msg.quickReply.items;
      if (!Array.isArray(items) || items.length < 1 || items.length > 13)
        return { message: 'Size must be between 1 and 13', property: `messages[${i}].quickReply.items` };
      for (const [j, it] of items.entries()) {
        const a = (it as { type?: unknown; action?: { type?: unknown; label?: unknown; text?: unknown } }).action;
        if ((it as { type?: unknown }).type !== 'action' || a?.type !== 'message')
          return { message: 'must be a message action', property: `messages[${i}].quickReply.items[${j}]` };
        if (typeof a.label !== 'string' || [...a.label].length < 1 || [...a.label].length > 20)
          return { message: 'Length must be between 1 and 20', property: `messages[${i}].quickReply.items[${j}].action.label` };
        if (typeof a.text !== 'string' || [...a.text].length < 1 || [...a.text].length > 300)
          return { message: 'Length must be between 1 and 300', property: `messages[${i}].quickReply.items[${j}].action.text` };
      }
    }
  }
  return undefined;
}
