/**
 * TikTok Shop Partner API client: signed requests, per-seller tokens (kept by a TiktokTokenStore,
 * MongoDB in models/tiktok-token.ts) and refreshed, error codes mapped onto "retry / refresh / give
 * up". Shared infrastructure: the TikTok channel (bots/tiktok) uses it for customer service
 * messages, the TikTok order source (activities/commerce/orders) for orders; the same `call()`
 * serves other API groups later.
 *
 * References (TikTok Shop Partner Center, partner.tiktokshop.com/docv2/page/…):
 *   - sign-your-api-request: signing (see ./signing.ts); `app_key`, `timestamp` (10-digit seconds,
 *     within 5 minutes of TikTok's clock), `sign` in the query; `x-tts-access-token` header.
 *   - common-errors: 105002 access token expired; 106001 invalid signature; 105005 missing scope;
 *     36009004 invalid credentials/parameters (the message says which); 36009002 or HTTP 429 rate
 *     limited; 36009003 internal error; 36009007 timeout.
 *   - rate-limits: back off on 429 / 36009002, honour Retry-After.
 *   - Authorization: GET {auth host}/api/v2/token/get (auth_code) and /api/v2/token/refresh
 *     (refresh_token), both with app_key + app_secret as query parameters, unsigned; the answer's
 *     `access_token_expire_in` / `refresh_token_expire_in` are Unix timestamps (seconds).
 *     GET /authorization/202309/shops lists the shops a token covers, with their `cipher`.
 *   - Customer service 202309: GET /customer_service/202309/conversations (page_size ≤ 20),
 *     GET /customer_service/202309/conversations/{id}/messages (page_size ≤ 10),
 *     POST /customer_service/202309/conversations/{id}/messages {type, content: JSON string};
 *     pages chain through `page_token` ← `next_page_token` ("" when done).
 */
import { refreshUnderLease } from '../token-refresh.js';
import { log as defaultLog } from '../../log.js';
import { signRequest } from './signing.js';
import type { StoredTiktokToken, TiktokTokenFields, TiktokTokenStore } from './token-store.js';

export type PartnerErrorKind = 'token_expired' | 'rate_limit' | 'transient' | 'auth' | 'permission' | 'invalid' | 'no_token';

/** A refusal of the Partner API (or no usable token). `retryable` says whether trying later can help. */
export class PartnerApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: PartnerErrorKind,
    readonly retryable: boolean,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
    readonly requestId?: string,
  ) {
    super(
      `TikTok Shop API ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}: ${message}${requestId ? ` [request_id ${requestId}]` : ''}`,
    );
    this.name = 'PartnerApiError';
  }
}

const RATE_LIMIT_CODES = new Set(['36009002', '36009037']);
const TRANSIENT_CODES = new Set(['36009003', '36009007']);
const PERMISSION_CODES = new Set(['105005', '101000', '36009033', '36009043', '36009044']);
const DEFAULT_RATE_LIMIT_DELAY_MS = 2_000;

/** Seconds or an HTTP date → milliseconds from now. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Maps a non-zero `code` (or a non-2xx status) onto a PartnerApiError. */
export function classifyError(
  code: string,
  message: string,
  httpStatus: number,
  retryAfter: string | null,
  requestId?: string,
): PartnerApiError {
  const ra = retryAfterMs(retryAfter);
  const e = (kind: PartnerErrorKind, retryable: boolean, delay?: number) =>
    new PartnerApiError(code, message || 'no message', kind, retryable, httpStatus, delay, requestId);
  if (httpStatus === 429 || RATE_LIMIT_CODES.has(code)) return e('rate_limit', true, ra ?? DEFAULT_RATE_LIMIT_DELAY_MS);
  if (code === '105002') return e('token_expired', true);
  // 36009004 is reused for several credential problems; the message tells which (Common errors).
  if (code === '36009004' && /access[_ -]?token/i.test(message)) return e('token_expired', true);
  if (code === '106001' || code === '36009004') return e('auth', false);
  if (PERMISSION_CODES.has(code)) return e('permission', false);
  if (TRANSIENT_CODES.has(code) || httpStatus >= 500) return e('transient', true, ra);
  if (httpStatus === 401) return e('auth', false);
  if (httpStatus === 403) return e('permission', false);
  return e('invalid', false);
}

export interface PartnerApiOptions {
  appKey: string;
  appSecret: string;
  /** Where the sellers' tokens are kept (models/tiktok-token.ts: `createTiktokTokenStore`). */
  tokens: TiktokTokenStore;
  /** Open API host, default https://open-api.tiktokglobalshop.com */
  apiUrl?: string;
  /** Authorization host, default https://auth.tiktok-shops.com */
  authUrl?: string;
  timeoutMs?: number;
  /** Refresh an access token this long before it expires (default 1 hour). */
  refreshMarginMs?: number;
  /** shop_cipher to use for a TikTok shop id, overriding the one stored with the token. */
  cipherOverrides?: Record<string, string>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface AuthorizedShop {
  id: string;
  cipher?: string;
  name?: string;
  region?: string;
}

export interface CsMessage {
  id: string;
  index?: string;
  type: string;
  content: string;
  create_time?: number;
  is_visible?: boolean;
  sender?: { im_user_id?: string; role?: string; nickname?: string; avatar?: string };
}

export interface CsConversation {
  id: string;
  create_time?: number;
  can_send_message?: boolean;
  unread_count?: number;
  participant_count?: number;
  participants?: { im_user_id?: string; user_id?: string; role?: string; nickname?: string }[];
  latest_message?: CsMessage;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export interface CallOptions {
  /** The TikTok shop whose token signs the call (omit for app-level calls with an explicit token). */
  tiktokShopId?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Send shop_cipher (default true when the shop has one). */
  shopCipher?: boolean;
}

interface Envelope<T> {
  code?: number;
  message?: string;
  data?: T;
  request_id?: string;
}

interface TokenData {
  access_token: string;
  access_token_expire_in: number;
  refresh_token: string;
  refresh_token_expire_in?: number;
  open_id: string;
  seller_name?: string;
}

const LEASE_MS = 30_000;

export class PartnerApiClient {
  readonly apiUrl: string;
  readonly authUrl: string;
  private readonly refreshes = new Map<string, Promise<StoredTiktokToken>>();
  private log: (msg: string, fields?: Record<string, unknown>) => void;

  constructor(private readonly opts: PartnerApiOptions) {
    this.apiUrl = (opts.apiUrl ?? 'https://open-api.tiktokglobalshop.com').replace(/\/+$/, '');
    this.authUrl = (opts.authUrl ?? 'https://auth.tiktok-shops.com').replace(/\/+$/, '');
    this.log = opts.log ?? defaultLog;
  }

  setLog(log: (msg: string, fields?: Record<string, unknown>) => void): void {
    this.log = log;
  }

  // ---------------------------------------------------------------- customer service (202309)

  /** Sends a message into a conversation; returns TikTok's message id. */
  async sendMessage(tiktokShopId: string, conversationId: string, type: string, content: Record<string, unknown>): Promise<string> {
    const data = await this.call<{ message_id?: string }>(
      'POST',
      `/customer_service/202309/conversations/${encodeURIComponent(conversationId)}/messages`,
      {
        tiktokShopId,
        body: { type, content: JSON.stringify(content) },
      },
    );
    if (!data?.message_id) throw new PartnerApiError('bad_response', 'Send Message answered without data.message_id', 'invalid', false);
    return data.message_id;
  }

  sendText(tiktokShopId: string, conversationId: string, text: string): Promise<string> {
    return this.sendMessage(tiktokShopId, conversationId, 'TEXT', { content: text });
  }

  async getConversations(
    tiktokShopId: string,
    o: { pageSize?: number; pageToken?: string; locale?: string } = {},
  ): Promise<Page<CsConversation>> {
    const data = await this.call<{ conversations?: CsConversation[]; next_page_token?: string }>(
      'GET',
      '/customer_service/202309/conversations',
      {
        tiktokShopId,
        query: { page_size: o.pageSize ?? 20, page_token: o.pageToken, locale: o.locale },
      },
    );
    return { items: data?.conversations ?? [], nextPageToken: data?.next_page_token ?? '' };
  }

  async getConversationMessages(
    tiktokShopId: string,
    conversationId: string,
    o: { pageSize?: number; pageToken?: string; locale?: string; sortOrder?: 'ASC' | 'DESC'; sortField?: 'create_time' | 'index' } = {},
  ): Promise<Page<CsMessage>> {
    const data = await this.call<{ messages?: CsMessage[]; next_page_token?: string }>(
      'GET',
      `/customer_service/202309/conversations/${encodeURIComponent(conversationId)}/messages`,
      {
        tiktokShopId,
        query: { page_size: o.pageSize ?? 10, page_token: o.pageToken, locale: o.locale, sort_order: o.sortOrder, sort_field: o.sortField },
      },
    );
    return { items: data?.messages ?? [], nextPageToken: data?.next_page_token ?? '' };
  }

  /** Walks `page_token` → `next_page_token` until it is empty (bounded by `maxPages`). */
  async *pages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>, maxPages = 100): AsyncGenerator<T> {
    let token: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(token);
      yield* page.items;
      if (!page.nextPageToken || page.nextPageToken === token) return;
      token = page.nextPageToken;
    }
  }

  // ---------------------------------------------------------------- authorization

  /** Exchanges an authorization code, lists the shops it covers and stores the tokens. */
  async authorize(authCode: string): Promise<{ openId: string; sellerName?: string; shops: AuthorizedShop[] }> {
    const t = await this.tokenCall('/api/v2/token/get', { auth_code: authCode, grant_type: 'authorized_code' });
    const shops = await this.getAuthorizedShops(t.access_token);
    await this.opts.tokens.saveAuthorized(t.open_id, { ...tokenFields(t), sellerName: t.seller_name ?? null, shops });
    this.log('tiktok seller authorized', { openId: t.open_id, seller: t.seller_name, shops: shops.map((s) => s.id) });
    return { openId: t.open_id, sellerName: t.seller_name, shops };
  }

  async getAuthorizedShops(accessToken: string): Promise<AuthorizedShop[]> {
    const data = await this.request<{ shops?: { id: string; cipher?: string; name?: string; region?: string }[] }>(
      'GET',
      '/authorization/202309/shops',
      {},
      undefined,
      accessToken,
      undefined,
    );
    return (data?.shops ?? []).map((s) => ({ id: String(s.id), cipher: s.cipher, name: s.name, region: s.region }));
  }

  // ---------------------------------------------------------------- signed calls with token handling

  /**
   * A signed Partner API call for a shop. Refreshes the seller's token first when it expires
   * within the margin, and once more (then retries the call once) when TikTok says it expired.
   */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, o: CallOptions = {}): Promise<T> {
    if (!o.tiktokShopId) throw new PartnerApiError('no_shop', `call ${path} needs a tiktokShopId`, 'invalid', false);
    let token = await this.tokenForShop(o.tiktokShopId);
    const cipher = o.shopCipher === false ? undefined : this.cipherFor(token, o.tiktokShopId);
    try {
      return await this.request<T>(method, path, o.query ?? {}, o.body, token.accessToken, cipher);
    } catch (e) {
      if (!(e instanceof PartnerApiError) || e.kind !== 'token_expired') throw e;
      this.log('tiktok access token refused; refreshing and retrying once', { openId: token.openId, code: e.code });
      token = await this.refresh(token.openId, token.accessToken);
      try {
        return await this.request<T>(method, path, o.query ?? {}, o.body, token.accessToken, cipher);
      } catch (again) {
        if (again instanceof PartnerApiError && again.kind === 'token_expired')
          throw new PartnerApiError(again.code, `token still refused after a refresh: ${again.message}`, 'auth', false, again.httpStatus);
        throw again;
      }
    }
  }

  /** The stored token of the seller that owns this TikTok shop, refreshed when close to expiry. */
  async tokenForShop(tiktokShopId: string): Promise<StoredTiktokToken> {
    const token = await this.opts.tokens.findByShop(tiktokShopId);
    if (!token)
      throw new PartnerApiError(
        'no_token',
        `TikTok shop ${tiktokShopId} has not authorized this app: open the app's authorization link in TikTok Shop Partner Center (the redirect lands on /tiktok/oauth/callback)`,
        'no_token',
        false,
      );
    const margin = this.opts.refreshMarginMs ?? 60 * 60_000;
    if (token.accessTokenExpiresAt.getTime() - Date.now() > margin) return token;
    this.log('tiktok access token expires soon; refreshing', { openId: token.openId, expiresAt: token.accessTokenExpiresAt.toISOString() });
    return this.refresh(token.openId, token.accessToken);
  }

  /**
   * Refreshes the seller's tokens unless someone already replaced `staleAccessToken`. One refresh at
   * a time per seller: in this process by a shared promise, across processes by a lease in MongoDB.
   */
  refresh(openId: string, staleAccessToken: string): Promise<StoredTiktokToken> {
    const running = this.refreshes.get(openId);
    if (running) return running;
    const p = this.refreshWithLease(openId, staleAccessToken).finally(() => this.refreshes.delete(openId));
    this.refreshes.set(openId, p);
    return p;
  }

  private refreshWithLease(openId: string, staleAccessToken: string): Promise<StoredTiktokToken> {
    const tokens = this.opts.tokens;
    return refreshUnderLease({
      staleAccessToken,
      leaseMs: LEASE_MS,
      current: () => tokens.findBySeller(openId),
      lease: (now, until) => tokens.lease(openId, staleAccessToken, { now, until }),
      release: async () => {
        await tokens.releaseLease(openId);
      },
      refresh: async (leased) => {
        try {
          const t = await this.tokenCall('/api/v2/token/refresh', { refresh_token: leased.refreshToken, grant_type: 'refresh_token' });
          const updated = await tokens.saveRefreshed(openId, tokenFields(t));
          this.log('tiktok token refreshed', { openId, expiresAt: updated!.accessTokenExpiresAt.toISOString() });
          return updated!;
        } catch (e) {
          this.log('tiktok token refresh failed', { openId, error: String(e) });
          throw e;
        }
      },
      noToken: () => new PartnerApiError('no_token', `no stored token for seller ${openId}`, 'no_token', false),
      busy: () =>
        new PartnerApiError('refresh_busy', `another process has been refreshing seller ${openId}'s token for too long`, 'transient', true),
    });
  }

  private cipherFor(token: StoredTiktokToken, tiktokShopId: string): string | undefined {
    return this.opts.cipherOverrides?.[tiktokShopId] ?? token.shops.find((s) => s.id === tiktokShopId)?.cipher ?? undefined;
  }

  /** One signed request: app_key, timestamp, shop_cipher and sign in the query, token in the header. */
  private async request<T>(
    method: string,
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    body: unknown,
    accessToken: string,
    shopCipher: string | undefined,
  ): Promise<T> {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params[k] = String(v);
    params.app_key = this.opts.appKey;
    params.timestamp = String(Math.floor(Date.now() / 1000));
    if (shopCipher) params.shop_cipher = shopCipher;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    params.sign = signRequest({ appSecret: this.opts.appSecret, path, query: params, body: bodyText });
    const url = `${this.apiUrl}${path}?${new URLSearchParams(params)}`;
    return this.fetchEnvelope<T>(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-tts-access-token': accessToken },
      ...(bodyText ? { body: bodyText } : {}),
    });
  }

  /** The authorization host's token endpoints (unsigned; app_secret in the query as documented). */
  private async tokenCall(path: string, params: Record<string, string>): Promise<TokenData> {
    const q = new URLSearchParams({ app_key: this.opts.appKey, app_secret: this.opts.appSecret, ...params });
    const data = await this.fetchEnvelope<TokenData>(`${this.authUrl}${path}?${q}`, { method: 'GET' });
    if (!data?.access_token || !data.refresh_token || !data.open_id || !data.access_token_expire_in)
      throw new PartnerApiError('bad_response', `${path} answered without tokens`, 'invalid', false);
    return data;
  }

  private async fetchEnvelope<T>(url: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      throw new PartnerApiError(
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
        `unreachable: ${e instanceof Error ? e.message : String(e)}`,
        'transient',
        true,
      );
    }
    const text = await res.text();
    const env = parseEnvelope<T>(text);
    if (res.ok && env && env.code === 0) return env.data as T;
    const code = env?.code !== undefined ? String(env.code) : String(res.status);
    throw classifyError(code, env?.message ?? text.slice(0, 200), res.status, res.headers.get('retry-after'), env?.request_id);
  }
}

function tokenFields(t: TokenData): TiktokTokenFields {
  return {
    accessToken: t.access_token,
    accessTokenExpiresAt: new Date(t.access_token_expire_in * 1000),
    refreshToken: t.refresh_token,
    refreshTokenExpiresAt: t.refresh_token_expire_in ? new Date(t.refresh_token_expire_in * 1000) : null,
  };
}

function parseEnvelope<T>(text: string): Envelope<T> | null {
  try {
    const v: unknown = text ? JSON.parse(text) : null;
    return v && typeof v === 'object' ? (v as Envelope<T>) : null;
  } catch {
    return null;
  }
}
