/**
 * A stand-in for TikTok Shop's Partner API and authorization host (node:http), speaking the
 * documented shapes (test/fixtures/tiktok/, sources in its README):
 *
 *   GET  /api/v2/token/get, /api/v2/token/refresh          (auth host; app_key + app_secret in the query)
 *   GET  /authorization/202309/shops
 *   GET  /customer_service/202309/conversations
 *   GET  /customer_service/202309/conversations/{id}/messages
 *   POST /customer_service/202309/conversations/{id}/messages
 *   POST /order/202309/orders/search                        (Get Order List: page_size 1–100 in the
 *                                                            query, filters in the JSON body)
 *   GET  /order/202309/orders?ids=ID1,ID2                   (Get Order Detail: 1–50 ids)
 *
 * Every Open API request is checked like TikTok does: app_key, a timestamp within 5 minutes, the
 * `sign` recomputed here from the documented algorithm (independently of bots/tiktok/signing.ts),
 * and the `x-tts-access-token` header (105002 when expired).
 *
 * With `echoWebhook` set, every message sent through Send Message also comes back the way TikTok
 * reports every message of a conversation, ours included: a signed type 14 New message webhook with
 * `sender.role: SHOP`. The first delivery is made *before* the Send Message answer (the worst case of
 * the race between the webhook and the answer); a non-2xx answer is retried later, as TikTok retries
 * unacknowledged webhooks.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  conversationId: string;
  type: string;
  content: Record<string, unknown>;
  shopCipher?: string;
  messageId: string;
  accessToken: string;
}

interface Seller {
  openId: string;
  name: string;
  shops: { id: string; name: string; region: string; cipher: string }[];
}

export interface FakeTiktok {
  url: string;
  sent: SentMessage[];
  /** Every Open API request (path + method + status answered). */
  requests: { method: string; path: string; status: number; code: number }[];
  refreshCalls: number;
  /** Conversations and messages that GET endpoints page through. */
  conversations: {
    id: string;
    messages: { id: string; type: string; content: string; role: string; im_user_id: string }[];
    participants?: { im_user_id: string; user_id: string; role: string; nickname?: string }[];
  }[];
  /** Orders (Order API 202309 `data.orders[]` objects) the order endpoints serve, per shop_cipher. */
  orders: Record<string, Record<string, unknown>[]>;
  /** Order API requests as received: query and parsed JSON body. */
  orderRequests: { method: string; path: string; query: Record<string, string>; body: unknown }[];
  /** Delay every order answer by this many ms (timeouts). */
  orderDelayMs: number;
  /** Echo every sent message to this webhook URL as a New message from the shop (see above); null: off. */
  echoWebhook: { url: string; shopImUserId: string; retryDelayMs?: number; maxAttempts?: number } | null;
  /** Every echo delivery: which message, which attempt, the HTTP status and JSON answer. */
  echoDeliveries: { messageId: string; attempt: number; status: number; body: unknown }[];
  /** An auth code that authorizes `seller` (once). */
  authCode(seller: Seller): string;
  /** Makes this access token expired (105002) from now on. */
  expire(accessToken: string): void;
  /** Expire every access token issued after a refresh too (refresh keeps "working" but tokens stay refused). */
  refusalsAfterRefresh: boolean;
  liveTokens(): string[];
  /** The next Open API calls answer these, in order (after the signature check). */
  failNext(...answers: { status: number; body: unknown; headers?: Record<string, string> }[]): void;
  textsIn(conversationId: string): string[];
  close(): Promise<void>;
}

/** The documented signing algorithm, written out here on purpose (not imported from the adapter). */
function expectedSign(secret: string, path: string, params: URLSearchParams, body: string): string {
  const keys = [...new Set(params.keys())].filter((k) => k !== 'sign' && k !== 'access_token').sort();
  const base = secret + path + keys.map((k) => k + params.get(k)).join('') + body + secret;
  return createHmac('sha256', secret).update(base).digest('hex');
}

export async function startFakeTiktok(appKey: string, appSecret: string): Promise<FakeTiktok> {
  const codes = new Map<string, Seller>();
  const sellers = new Map<string, Seller>();
  const access = new Map<string, { openId: string; expired: boolean }>();
  const refresh = new Map<string, string>();
  const failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  let n = 0;

  const issue = (openId: string) => {
    const a = `TTP_access_${randomUUID()}`;
    const r = `TTP_refresh_${randomUUID()}`;
    access.set(a, { openId, expired: fake.refusalsAfterRefresh && fake.refreshCalls > 0 });
    refresh.set(r, openId);
    const seller = sellers.get(openId)!;
    return {
      access_token: a,
      access_token_expire_in: Math.floor(Date.now() / 1000) + 7 * 86400,
      refresh_token: r,
      refresh_token_expire_in: Math.floor(Date.now() / 1000) + 365 * 86400,
      open_id: openId,
      seller_name: seller.name,
      seller_base_region: seller.shops[0]?.region ?? 'GB',
      user_type: 0,
    };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://fake');
      const q = u.searchParams;
      const reply = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
        if (!u.pathname.startsWith('/api/v2/'))
          fake.requests.push({ method: req.method ?? '', path: u.pathname, status, code: Number(payload.code ?? -1) });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ request_id: `fake-${++n}`, ...payload }));
      };
      const ok = (data: unknown) => reply(200, { code: 0, message: 'Success', data });

      // ---- authorization host
      if (u.pathname === '/api/v2/token/get' || u.pathname === '/api/v2/token/refresh') {
        if (q.get('app_key') !== appKey || q.get('app_secret') !== appSecret)
          return reply(200, { code: 36004004, message: 'invalid app_key or app_secret', data: null });
        if (u.pathname === '/api/v2/token/get') {
          const seller = codes.get(q.get('auth_code') ?? '');
          if (q.get('grant_type') !== 'authorized_code' || !seller)
            return reply(200, { code: 36004004, message: 'invalid auth_code', data: null });
          codes.delete(q.get('auth_code')!);
          sellers.set(seller.openId, seller);
          return ok(issue(seller.openId));
        }
        fake.refreshCalls++;
        const openId = refresh.get(q.get('refresh_token') ?? '');
        if (q.get('grant_type') !== 'refresh_token' || !openId)
          return reply(200, { code: 36004004, message: 'invalid refresh_token', data: null });
        refresh.delete(q.get('refresh_token')!);
        return ok(issue(openId));
      }

      // ---- Open API: common parameters, signature, token
      if (q.get('app_key') !== appKey)
        return reply(400, { code: 36009004, message: "Invalid credentials. Invalid 'app_key' query parameter.", data: null });
      const ts = Number(q.get('timestamp'));
      if (!/^\d{10}$/.test(q.get('timestamp') ?? '') || Math.abs(Date.now() / 1000 - ts) > 300)
        return reply(400, { code: 36009004, message: 'Invalid timestamp.', data: null });
      const signedBody = (req.headers['content-type'] ?? '').startsWith('multipart/form-data') ? '' : body;
      if (q.get('sign') !== expectedSign(appSecret, u.pathname, q, signedBody))
        return reply(401, { code: 106001, message: 'Invalid credentials. The signature is invalid.', data: null });
      if (q.has('access_token'))
        return reply(400, { code: 36009004, message: 'access_token must be sent in the x-tts-access-token header', data: null });
      const tokenHeader = String(req.headers['x-tts-access-token'] ?? '');
      const token = access.get(tokenHeader);
      if (!token) return reply(401, { code: 36009004, message: 'Invalid credentials. The access_token header is invalid.', data: null });
      if (token.expired) return reply(401, { code: 105002, message: 'Expired credentials. The access token has expired.', data: null });
      const queued = failures.shift();
      if (queued) return reply(queued.status, queued.body as Record<string, unknown>, queued.headers);
      const seller = sellers.get(token.openId)!;

      if (req.method === 'GET' && u.pathname === '/authorization/202309/shops')
        return ok({ shops: seller.shops.map((s) => ({ ...s, code: `CODE${s.id.slice(-4)}`, seller_type: 'CROSS_BORDER' })) });

      if (u.pathname.startsWith('/order/202309/orders')) {
        const cipher = q.get('shop_cipher') ?? '';
        if (!seller.shops.some((s) => s.cipher === cipher))
          return reply(400, { code: 106013, message: 'shop_cipher is missing or invalid', data: null });
        let parsedBody: Record<string, unknown> = {};
        if (body) {
          try {
            parsedBody = JSON.parse(body) as Record<string, unknown>;
          } catch {
            return reply(400, { code: 36009004, message: 'body is not JSON', data: null });
          }
        }
        const query = Object.fromEntries([...q].filter(([k]) => !['sign', 'timestamp', 'app_key'].includes(k)));
        fake.orderRequests.push({ method: req.method ?? '', path: u.pathname, query, body: body ? parsedBody : undefined });
        const all = fake.orders[cipher] ?? [];
        const answer = (fn: () => void) => (fake.orderDelayMs > 0 ? setTimeout(fn, fake.orderDelayMs) : fn());
        if (req.method === 'POST' && u.pathname === '/order/202309/orders/search') {
          const size = Number(q.get('page_size'));
          if (!Number.isInteger(size) || size < 1 || size > 100)
            return reply(400, { code: 36009004, message: 'page_size is required: 1..100', data: null });
          const f = parsedBody as { buyer_user_id?: string; create_time_ge?: number; create_time_lt?: number; order_status?: string };
          let list = all.filter(
            (o) =>
              (!f.buyer_user_id || o.user_id === f.buyer_user_id) &&
              (f.create_time_ge === undefined || Number(o.create_time) >= f.create_time_ge) &&
              (f.create_time_lt === undefined || Number(o.create_time) < f.create_time_lt) &&
              (!f.order_status || o.status === f.order_status),
          );
          const desc = (q.get('sort_order') ?? 'DESC') === 'DESC';
          list = [...list].sort((a, b) => (Number(a.create_time) - Number(b.create_time)) * (desc ? -1 : 1));
          const from = Number(q.get('page_token') || 0);
          const slice = list.slice(from, from + size);
          const next = from + size < list.length ? String(from + size) : '';
          return answer(() => ok({ orders: slice, next_page_token: next, total_count: list.length }));
        }
        if (req.method === 'GET' && u.pathname === '/order/202309/orders') {
          const ids = (q.get('ids') ?? '').split(',').filter(Boolean);
          if (ids.length < 1 || ids.length > 50) return reply(400, { code: 36009004, message: 'ids: 1..50 order ids', data: null });
          return answer(() => ok({ orders: all.filter((o) => ids.includes(String(o.id))) }));
        }
        return reply(404, { code: 36009009, message: 'Invalid path', data: null });
      }

      const cs = /^\/customer_service\/202309\/conversations(?:\/([^/]+)\/messages)?$/.exec(u.pathname);
      if (!cs) return reply(404, { code: 36009009, message: 'Invalid path', data: null });
      const cipher = q.get('shop_cipher') ?? undefined;
      if (!seller.shops.some((s) => s.cipher === cipher))
        return reply(400, { code: 106013, message: 'shop_cipher is missing or invalid', data: null });
      const pageSize = Number(q.get('page_size'));
      const start = Number(q.get('page_token') || 0);
      const page = <T>(items: T[], max: number, key: string) => {
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max)
          return reply(400, { code: 36009004, message: `page_size must be 1..${max}`, data: null });
        const slice = items.slice(start, start + pageSize);
        return ok({ [key]: slice, next_page_token: start + pageSize < items.length ? String(start + pageSize) : '' });
      };

      if (!cs[1]) {
        if (req.method !== 'GET') return reply(405, { code: 36009009, message: 'method', data: null });
        return page(
          fake.conversations.map((c) => ({
            id: c.id,
            can_send_message: true,
            participant_count: c.participants?.length ?? 2,
            unread_count: 0,
            ...(c.participants ? { participants: c.participants } : {}),
          })),
          20,
          'conversations',
        );
      }
      const conversationId = decodeURIComponent(cs[1]);
      if (req.method === 'GET') {
        const conv = fake.conversations.find((c) => c.id === conversationId);
        const messages = (conv?.messages ?? []).map((m) => ({
          id: m.id,
          type: m.type,
          content: m.content,
          is_visible: true,
          sender: { im_user_id: m.im_user_id, role: m.role },
        }));
        return page(messages, 10, 'messages');
      }
      let parsed: { type?: unknown; content?: unknown };
      try {
        parsed = JSON.parse(body);
      } catch {
        return reply(400, { code: 36009004, message: 'body is not JSON', data: null });
      }
      if (typeof parsed.type !== 'string' || typeof parsed.content !== 'string')
        return reply(400, { code: 36009004, message: 'type and content (a JSON string) are required', data: null });
      const messageId = `7494560109${String(++n).padStart(9, '0')}`;
      fake.sent.push({
        conversationId,
        type: parsed.type,
        content: JSON.parse(parsed.content),
        shopCipher: cipher,
        messageId,
        accessToken: tokenHeader,
      });
      if (fake.echoWebhook) {
        const shopId = seller.shops.find((s) => s.cipher === cipher)!.id;
        void echo(fake.echoWebhook, shopId, conversationId, messageId, parsed.type, parsed.content).then(() =>
          ok({ message_id: messageId }),
        );
        return;
      }
      return ok({ message_id: messageId });
    });
  });
  /** Deliver the echo once now (resolves after that attempt), retrying in the background on non-2xx. */
  async function echo(
    to: NonNullable<FakeTiktok['echoWebhook']>,
    shopId: string,
    conversationId: string,
    messageId: string,
    type: string,
    content: string,
  ): Promise<void> {
    const body = JSON.stringify({
      type: 14,
      tts_notification_id: `fake-notification-${messageId}`,
      shop_id: shopId,
      timestamp: Math.floor(Date.now() / 1000),
      data: {
        content,
        conversation_id: conversationId,
        create_time: Math.floor(Date.now() / 1000),
        is_visible: true,
        message_id: messageId,
        index: messageId,
        type,
        sender: { im_user_id: to.shopImUserId, role: 'SHOP' },
      },
    });
    // "Webhooks overview": Authorization = hex HMAC-SHA256(app_secret, app_key + body), computed here.
    const authorization = createHmac('sha256', appSecret)
      .update(appKey + body)
      .digest('hex');
    const attempt = async (k: number): Promise<boolean> => {
      let status = 0;
      let answer: unknown;
      try {
        const r = await fetch(to.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
        status = r.status;
        answer = await r.json().catch(() => null);
      } catch (e) {
        answer = String(e);
      }
      fake.echoDeliveries.push({ messageId, attempt: k, status, body: answer });
      return status >= 200 && status < 300;
    };
    const retry = (k: number) => {
      if (k > (to.maxAttempts ?? 5)) return;
      setTimeout(() => void attempt(k).then((done) => done || retry(k + 1)), to.retryDelayMs ?? 500);
    };
    if (!(await attempt(1))) retry(2);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTiktok = {
    url: `http://127.0.0.1:${port}`,
    sent: [],
    requests: [],
    refreshCalls: 0,
    conversations: [],
    orders: {},
    orderRequests: [],
    orderDelayMs: 0,
    echoWebhook: null,
    echoDeliveries: [],
    refusalsAfterRefresh: false,
    authCode(seller) {
      const code = `ROW_code_${randomUUID()}`;
      codes.set(code, seller);
      return code;
    },
    expire(accessToken) {
      const t = access.get(accessToken);
      if (t) t.expired = true;
    },
    liveTokens: () => [...access.entries()].filter(([, t]) => !t.expired).map(([a]) => a),
    failNext(...answers) {
      failures.push(...answers);
    },
    textsIn(conversationId) {
      return fake.sent.filter((s) => s.conversationId === conversationId && s.type === 'TEXT').map((s) => String(s.content.content));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
