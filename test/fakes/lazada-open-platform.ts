/**
 * A local stand-in for the Lazada Open Platform (one node:http server on loopback) speaking the
 * documented shapes (test/fixtures/lazada/README.md): every call's `sign` is re-computed here from
 * the received parameters (path + sorted {name}{value}, HMAC-SHA256, uppercase hex) and refused with
 * IncompleteSignature when it differs; access tokens are checked (IllegalAccessToken).
 *
 *   POST /rest/auth/token/create, /rest/auth/token/refresh   tokens (use `${url}` as auth and API host)
 *   GET  /rest/im/session/list, /rest/im/message/list         sessions and messages held here
 *   POST /rest/im/message/send                                records the send, answers a message id
 *   GET  /rest/orders/get, /rest/order/get, /rest/order/items/get, /rest/orders/items/get
 *
 * Tests push IM events to our webhook with `push()` (signed as Lazada signs), read what was sent with
 * `textsIn(session)` / `sent`, add messages the push "missed" with `addMessage()`, and inject errors
 * with `failNext()`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeImMessage {
  message_id: string;
  session_id: string;
  template_id: number;
  content: string;
  from_account_type: number;
  from_account_id: string;
  to_account_id: string;
  send_time: number;
  auto_reply?: boolean;
  site_id?: string;
}

export interface FakeSend {
  sellerId: string;
  sessionId: string;
  templateId: number;
  params: Record<string, string>;
  messageId: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  status: number;
  code: string;
}

interface Token {
  sellerId: string;
  country: string;
  access: string;
  refresh: string;
  valid: boolean;
}

export interface FakeLazada {
  /** The API and authorization base URL, `http://127.0.0.1:PORT/rest`. */
  url: string;
  appKey: string;
  appSecret: string;
  requests: FakeRequest[];
  sent: FakeSend[];
  refreshCalls: number;
  /** IM messages by session (what /im/message/list serves; sends are added too). */
  messages: FakeImMessage[];
  orders: Record<string, unknown>[];
  orderItems: Record<string, Record<string, unknown>[]>;
  /** Token lifetimes the token endpoints answer with (seconds). */
  lifetimes: { expires_in: number; refresh_expires_in: number };
  /** An authorization code for a seller (country th, my, sg, vn, id, ph). */
  authCode(sellerId: string, country?: string): string;
  /** The current access token of a seller. */
  accessTokenOf(sellerId: string): string | undefined;
  expire(accessToken: string): void;
  /** The next calls answer these errors (in order), whatever they are. */
  failNext(...errors: { status: number; body: Record<string, unknown>; headers?: Record<string, string> }[]): void;
  /** A message in the session list, not pushed (the pull must find it). */
  addMessage(m: Partial<FakeImMessage> & { session_id: string; from_account_id: string; to_account_id: string }): FakeImMessage;
  /** A buyer's text message as a push body (message_type 2). */
  pushBody(sellerId: string, m: FakeImMessage): string;
  /** POST a push to our webhook, signed; the HTTP status. */
  push(webhookUrl: string, sellerId: string, m: FakeImMessage, o?: { signWith?: string }): Promise<number>;
  textsIn(sessionId: string): string[];
  close(): Promise<void>;
}

const sign = (secret: string, path: string, params: Record<string, string>) =>
  createHmac('sha256', secret)
    .update(
      path +
        Object.keys(params)
          .filter((k) => k !== 'sign')
          .sort()
          .map((k) => `${k}${params[k]}`)
          .join(''),
      'utf8',
    )
    .digest('hex')
    .toUpperCase();

export function lazadaPushSignature(body: string, appKey: string, appSecret: string): string {
  return createHmac('sha256', appSecret)
    .update(appKey + body, 'utf8')
    .digest('hex');
}

let seq = 0;
const nextId = () => `${Date.now()}${String(++seq).padStart(4, '0')}`;

export async function startFakeLazada(appKey: string, appSecret: string): Promise<FakeLazada> {
  const tokens: Token[] = [];
  const codes = new Map<string, { sellerId: string; country: string }>();
  const failures: { status: number; body: Record<string, unknown>; headers?: Record<string, string> }[] = [];
  const fake = {
    appKey,
    appSecret,
    requests: [] as FakeRequest[],
    sent: [] as FakeSend[],
    refreshCalls: 0,
    messages: [] as FakeImMessage[],
    orders: [] as Record<string, unknown>[],
    orderItems: {} as Record<string, Record<string, unknown>[]>,
    lifetimes: { expires_in: 604_800, refresh_expires_in: 2_592_000 },
  };

  const issue = (sellerId: string, country: string) => {
    const t: Token = {
      sellerId,
      country,
      access: `50000${randomBytes(8).toString('hex')}`,
      refresh: `50001${randomBytes(8).toString('hex')}`,
      valid: true,
    };
    for (const old of tokens.filter((x) => x.sellerId === sellerId)) old.valid = false;
    tokens.push(t);
    return {
      code: '0',
      access_token: t.access,
      refresh_token: t.refresh,
      expires_in: fake.lifetimes.expires_in,
      refresh_expires_in: fake.lifetimes.refresh_expires_in,
      country,
      account: `${sellerId}@example.com`,
      account_platform: 'seller_center',
      country_user_info: [{ country, seller_id: sellerId, user_id: `u${sellerId}`, short_code: `${country.toUpperCase()}X` }],
      request_id: nextId(),
    };
  };

  const err = (status: number, code: string, message: string, type = 'ISV') => ({
    status,
    body: { type, code, message, request_id: nextId() },
  });

  function route(path: string, params: Record<string, string>): { status: number; body: unknown; headers?: Record<string, string> } {
    if (path === '/auth/token/create') {
      const c = codes.get(params.code ?? '');
      if (!c) return err(400, 'InvalidCode', 'invalid authorization code');
      codes.delete(params.code!);
      return { status: 200, body: issue(c.sellerId, c.country) };
    }
    if (path === '/auth/token/refresh') {
      fake.refreshCalls++;
      const t = tokens.find((x) => x.refresh === params.refresh_token);
      if (!t) return err(400, 'IllegalRefreshToken', 'refresh token invalid or expired');
      return { status: 200, body: issue(t.sellerId, t.country) };
    }
    const token = tokens.find((x) => x.access === params.access_token);
    if (!token || !token.valid) return err(200, 'IllegalAccessToken', 'The specified access token is invalid or expired');
    const ok = (data: unknown) => ({ status: 200, body: { code: '0', data, request_id: nextId() } });
    const sellerMessages = () =>
      fake.messages.filter((m) => m.session_id.startsWith(`${token.sellerId}_`) || m.session_id.includes(token.sellerId));
    switch (path) {
      case '/im/session/list': {
        const since = Number(params.start_time ?? 0);
        const bySession = new Map<string, FakeImMessage[]>();
        for (const m of sellerMessages()) bySession.set(m.session_id, [...(bySession.get(m.session_id) ?? []), m]);
        const list = [...bySession.entries()]
          .map(([session_id, ms]) => {
            const last = ms.reduce((a, b) => (b.send_time > a.send_time ? b : a));
            const buyer = ms.find((m) => m.from_account_type === 1)?.from_account_id ?? last.to_account_id;
            return {
              session_id,
              buyer_id: buyer,
              last_message_id: last.message_id,
              last_message_time: last.send_time,
              unread_count: 0,
              site_id: token.country.toUpperCase(),
            };
          })
          .filter((s) => s.last_message_time >= since);
        return ok({ session_list: list, has_more: false });
      }
      case '/im/message/list': {
        const since = Number(params.start_time ?? 0);
        const size = Number(params.page_size ?? 20);
        const all = fake.messages
          .filter((m) => m.session_id === params.session_id && m.send_time >= since)
          .sort((a, b) => a.send_time - b.send_time);
        const from = params.last_message_id ? all.findIndex((m) => m.message_id === params.last_message_id) + 1 : 0;
        const page = all.slice(from, from + size);
        const more = from + size < all.length;
        return ok({
          message_list: page,
          has_more: more,
          ...(more ? { last_message_id: page.at(-1)!.message_id, next_start_time: page.at(-1)!.send_time } : {}),
        });
      }
      case '/im/message/send': {
        const templateId = Number(params.template_id);
        if (!params.session_id) return err(200, 'MISSING_PARAMETER', 'session_id is required');
        if (templateId === 1 && !params.txt) return err(200, 'MISSING_PARAMETER', 'txt is required');
        const messageId = nextId();
        const content =
          templateId === 1
            ? { txt: params.txt }
            : templateId === 3
              ? { imgUrl: params.img_url }
              : templateId === 10007
                ? { orderId: params.order_id }
                : { itemId: params.item_id };
        fake.sent.push({ sellerId: token.sellerId, sessionId: params.session_id, templateId, params: { ...params }, messageId });
        const buyer = fake.messages.find((m) => m.session_id === params.session_id && m.from_account_type === 1)?.from_account_id ?? '';
        fake.messages.push({
          message_id: messageId,
          session_id: params.session_id,
          template_id: templateId,
          content: JSON.stringify(content),
          from_account_type: 2,
          from_account_id: token.sellerId,
          to_account_id: buyer,
          send_time: Date.now(),
        });
        return ok({ message_id: messageId, session_id: params.session_id, template_id: templateId });
      }
      case '/orders/get': {
        const offset = Number(params.offset ?? 0);
        const limit = Number(params.limit ?? 100);
        const after = params.created_after ? Date.parse(params.created_after) : 0;
        const mine = fake.orders.filter(
          (o) =>
            o.seller_id === token.sellerId &&
            Date.parse(
              String(o.created_at)
                .replace(' ', 'T')
                .replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2'),
            ) >= after,
        );
        return ok({
          count: mine.length,
          countTotal: mine.length,
          orders: mine.slice(offset, offset + limit).map(({ seller_id: _s, ...o }) => o),
        });
      }
      case '/order/get': {
        const o = fake.orders.find((x) => x.seller_id === token.sellerId && String(x.order_id) === params.order_id);
        if (!o) return err(200, 'E0001', 'order not found');
        const { seller_id: _s, ...rest } = o;
        return ok(rest);
      }
      case '/order/items/get':
        return ok(fake.orderItems[params.order_id ?? ''] ?? []);
      case '/orders/items/get': {
        const ids = (JSON.parse(params.order_ids ?? '[]') as (string | number)[]).map(String);
        return ok(ids.map((id) => ({ order_id: id, order_number: id, order_items: fake.orderItems[id] ?? [] })));
      }
      default:
        return err(404, 'InvalidApiPath', `no API ${path}`);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const params: Record<string, string> = Object.fromEntries(u.searchParams);
      if (req.method === 'POST') Object.assign(params, Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
      const path = u.pathname.replace(/^\/rest/, '');
      let reply: { status: number; body: unknown; headers?: Record<string, string> };
      if (params.app_key !== appKey) reply = err(200, 'InvalidAppKey', 'app_key is invalid');
      else if (!params.sign || params.sign !== sign(appSecret, path, params))
        reply = err(200, 'IncompleteSignature', 'The request signature does not conform to lazada standards');
      else if (params.sign_method !== 'sha256' || !/^\d{13}$/.test(params.timestamp ?? ''))
        reply = err(200, 'InvalidParameter', 'sign_method/timestamp');
      else if (failures.length && !path.startsWith('/auth/')) reply = failures.shift()!;
      else reply = route(path, params);
      const body = reply.body as { code?: string };
      fake_.requests.push({ method: req.method ?? 'GET', path, params, status: reply.status, code: String(body?.code ?? '') });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const fake_: FakeLazada = Object.assign(fake, {
    url: `http://127.0.0.1:${port}/rest`,
    authCode(sellerId: string, country = 'th') {
      const code = `0_${randomBytes(6).toString('hex')}`;
      codes.set(code, { sellerId, country });
      return code;
    },
    accessTokenOf: (sellerId: string) => tokens.filter((t) => t.sellerId === sellerId && t.valid).at(-1)?.access,
    expire(accessToken: string) {
      const t = tokens.find((x) => x.access === accessToken);
      if (t) t.valid = false;
    },
    failNext(...errors: { status: number; body: Record<string, unknown>; headers?: Record<string, string> }[]) {
      failures.push(...errors);
    },
    addMessage(m: Partial<FakeImMessage> & { session_id: string; from_account_id: string; to_account_id: string }): FakeImMessage {
      const full: FakeImMessage = {
        message_id: nextId(),
        template_id: 1,
        content: JSON.stringify({ txt: '' }),
        from_account_type: 1,
        send_time: Date.now(),
        ...m,
      };
      fake.messages.push(full);
      return full;
    },
    pushBody(sellerId: string, m: FakeImMessage) {
      return JSON.stringify({
        seller_id: sellerId,
        message_type: 2,
        data: { ...m },
        timestamp: Math.floor(Date.now() / 1000),
        site: 'lazada_th',
      });
    },
    async push(webhookUrl: string, sellerId: string, m: FakeImMessage, o: { signWith?: string } = {}) {
      const body = fake_.pushBody(sellerId, m);
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: lazadaPushSignature(body, appKey, o.signWith ?? appSecret) },
        body,
      });
      return res.status;
    },
    textsIn: (sessionId: string) => fake.sent.filter((s) => s.sessionId === sessionId && s.templateId === 1).map((s) => s.params.txt ?? ''),
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
  return fake_;
}
