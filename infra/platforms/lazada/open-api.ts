/**
 * Lazada Open Platform client: signed requests (./signing.ts) to the seller's country host
 * (./hosts.ts), per-seller tokens kept by a LazadaTokenStore (MongoDB, sealed: models/lazada-token.ts)
 * and refreshed before they expire, errors mapped onto "retry / refresh / give up". Shared
 * infrastructure: the lazada channel (bots/lazada) uses the IM calls, the Lazada order source
 * (activities/commerce/orders/lazada-source.ts) the order calls.
 *
 * References (open.lazada.com, API reference and "Lazada Open Platform" guides):
 *   - common parameters app_key, timestamp (ms), sign_method=sha256, sign, access_token; GET with
 *     the parameters in the query, POST with them in an x-www-form-urlencoded body;
 *   - answers `{code: "0", data, request_id}`; a refusal `{type: ISV|ISP|SYSTEM, code, message,
 *     request_id}` (codes IllegalAccessToken, MissingAccessToken, IncompleteSignature,
 *     InvalidAppKey, ApiCallLimit, AppCallLimit, ServiceTimeout, …);
 *   - authorization host: /auth/token/create (code) and /auth/token/refresh (refresh_token), signed
 *     without access_token; the answer is at the top level: access_token, refresh_token,
 *     expires_in and refresh_expires_in (seconds), country, account, country_user_info[]
 *     {country, seller_id, user_id, short_code};
 *   - IM (seller chat): GET /im/session/list (start_time, page_size, last_session_id),
 *     GET /im/message/list (session_id, start_time, page_size, last_message_id),
 *     POST /im/message/send (session_id, template_id; txt | img_url,width,height | item_id | order_id);
 *   - orders: GET /orders/get, /order/get (order_id), /order/items/get (order_id),
 *     /orders/items/get (order_ids as a JSON array).
 */
import { refreshUnderLease } from '../token-refresh.js';
import { log as defaultLog } from '../../log.js';
import { apiHostFor, LAZADA_AUTH_HOST } from './hosts.js';
import { signRequest } from './signing.js';
import type { LazadaTokenFields, LazadaTokenStore, StoredLazadaToken } from './token-store.js';

export type LazadaErrorKind = 'token_expired' | 'rate_limit' | 'transient' | 'auth' | 'invalid' | 'no_token';

/** A refusal of the Open Platform (or no usable token). `retryable`: trying later can help. */
export class LazadaApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: LazadaErrorKind,
    readonly retryable: boolean,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
    readonly requestId?: string,
  ) {
    super(`Lazada API ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}: ${message}${requestId ? ` [request_id ${requestId}]` : ''}`);
    this.name = 'LazadaApiError';
  }
}

const TOKEN_EXPIRED = new Set(['IllegalAccessToken', 'AccessTokenExpired', 'MissingAccessToken']);
const AUTH = new Set([
  'IncompleteSignature',
  'InvalidAppKey',
  'IllegalRefreshToken',
  'InvalidCode',
  'AppNotAuthorized',
  'InsufficientPermission',
]);
const RATE_LIMIT = new Set(['ApiCallLimit', 'AppCallLimit', 'SellerCallLimit', 'AccessFrequencyLimit']);
const TRANSIENT = new Set(['ServiceTimeout', 'ServiceUnavailable', 'InternalError', 'SystemError']);
const DEFAULT_RATE_LIMIT_DELAY_MS = 2_000;

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Maps a refusal (`code` other than "0", or a non-2xx status) onto a LazadaApiError. */
export function classifyError(
  code: string,
  message: string,
  httpStatus: number,
  retryAfter: string | null,
  type?: string,
  requestId?: string,
): LazadaApiError {
  const e = (kind: LazadaErrorKind, retryable: boolean, delay?: number) =>
    new LazadaApiError(code, message || 'no message', kind, retryable, httpStatus, delay, requestId);
  const ra = retryAfterMs(retryAfter);
  if (httpStatus === 429 || RATE_LIMIT.has(code)) return e('rate_limit', true, ra ?? DEFAULT_RATE_LIMIT_DELAY_MS);
  if (TOKEN_EXPIRED.has(code)) return e('token_expired', true);
  if (AUTH.has(code) || httpStatus === 401 || httpStatus === 403) return e('auth', false);
  if (TRANSIENT.has(code) || type === 'ISP' || type === 'SYSTEM' || httpStatus >= 500) return e('transient', true, ra);
  return e('invalid', false);
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface LazadaApiOptions {
  appKey: string;
  appSecret: string;
  tokens: LazadaTokenStore;
  /** Replaces every country host (SORA_LAZADA_API_URL), e.g. a local stand-in's `http://127.0.0.1:PORT/rest`. */
  apiUrl?: string;
  /** Authorization host, default https://auth.lazada.com/rest */
  authUrl?: string;
  /** Lazada seller_id → country (th, my, sg, vn, id, ph), overriding the one stored with the token. */
  countries?: Record<string, string>;
  timeoutMs?: number;
  /** Refresh an access token this long before it expires (default 1 hour). */
  refreshMarginMs?: number;
  log?: Log;
}

export interface ImSession {
  session_id: string;
  buyer_id?: string | number;
  title?: string;
  summary?: string;
  last_message_id?: string;
  last_message_time?: number;
  unread_count?: number;
  site_id?: string;
}

export interface ImMessage {
  message_id: string;
  session_id?: string;
  template_id: number | string;
  /** A JSON string ({"txt": …}, {"imgUrl": …}, {"itemId": …}, {"orderId": …}). */
  content?: string;
  from_account_type?: number | string;
  from_account_id?: string | number;
  to_account_type?: number | string;
  to_account_id?: string | number;
  send_time?: number;
  type?: number;
  status?: number;
  auto_reply?: boolean;
  site_id?: string;
}

export interface ImPage<T> {
  items: T[];
  hasMore: boolean;
  nextStartTime?: number;
  last?: string;
}

interface TokenAnswer {
  code?: string;
  message?: string;
  type?: string;
  request_id?: string;
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_expires_in?: number;
  country?: string;
  account?: string;
  country_user_info?: { country?: string; seller_id?: string | number; user_id?: string | number; short_code?: string }[];
}

export interface AuthorizedSeller {
  sellerId: string;
  country: string | null;
  account: string | null;
}

const LEASE_MS = 30_000;

export class LazadaApiClient {
  readonly authUrl: string;
  private readonly refreshes = new Map<string, Promise<StoredLazadaToken>>();
  private log: Log;

  constructor(private readonly opts: LazadaApiOptions) {
    this.authUrl = (opts.authUrl ?? LAZADA_AUTH_HOST).replace(/\/+$/, '');
    this.log = opts.log ?? defaultLog;
  }

  setLog(log: Log): void {
    this.log = log;
  }

  get tokens(): LazadaTokenStore {
    return this.opts.tokens;
  }

  // ---------------------------------------------------------------- IM

  async sessionList(sellerId: string, o: { startTime: number; pageSize?: number; lastSessionId?: string }): Promise<ImPage<ImSession>> {
    const d = await this.call<{ session_list?: ImSession[]; has_more?: boolean; next_start_time?: number; last_session_id?: string }>(
      sellerId,
      'GET',
      '/im/session/list',
      { start_time: o.startTime, page_size: o.pageSize ?? 20, last_session_id: o.lastSessionId },
    );
    return { items: d?.session_list ?? [], hasMore: !!d?.has_more, nextStartTime: d?.next_start_time, last: d?.last_session_id };
  }

  async messageList(
    sellerId: string,
    o: { sessionId: string; startTime: number; pageSize?: number; lastMessageId?: string },
  ): Promise<ImPage<ImMessage>> {
    const d = await this.call<{ message_list?: ImMessage[]; has_more?: boolean; next_start_time?: number; last_message_id?: string }>(
      sellerId,
      'GET',
      '/im/message/list',
      { session_id: o.sessionId, start_time: o.startTime, page_size: o.pageSize ?? 20, last_message_id: o.lastMessageId },
    );
    return { items: d?.message_list ?? [], hasMore: !!d?.has_more, nextStartTime: d?.next_start_time, last: d?.last_message_id };
  }

  /** Sends one message into a session; returns Lazada's message id. */
  async sendMessage(sellerId: string, sessionId: string, templateId: number, fields: Record<string, string | number>): Promise<string> {
    const d = await this.call<{ message_id?: string | number }>(sellerId, 'POST', '/im/message/send', {
      session_id: sessionId,
      template_id: templateId,
      ...fields,
    });
    if (d?.message_id === undefined || d.message_id === '')
      throw new LazadaApiError('bad_response', '/im/message/send answered without data.message_id', 'invalid', false);
    return String(d.message_id);
  }

  // ---------------------------------------------------------------- authorization

  /** Exchanges an authorization code (the app's callback) and stores the tokens of every seller it covers. */
  async authorize(code: string): Promise<AuthorizedSeller[]> {
    const t = await this.tokenCall('/auth/token/create', { code });
    const sellers: AuthorizedSeller[] = (t.country_user_info ?? [])
      .filter((c) => c.seller_id !== undefined && c.seller_id !== '')
      .map((c) => ({
        sellerId: String(c.seller_id),
        country: c.country?.toLowerCase() ?? t.country?.toLowerCase() ?? null,
        account: t.account ?? null,
      }));
    if (!sellers.length)
      throw new LazadaApiError('bad_response', '/auth/token/create answered without country_user_info[].seller_id', 'invalid', false);
    for (const s of sellers)
      await this.opts.tokens.saveAuthorized(s.sellerId, { ...tokenFields(t), country: s.country, account: s.account });
    this.log('lazada seller authorized', { sellers: sellers.map((s) => `${s.sellerId}/${s.country}`) });
    return sellers;
  }

  /** The seller's stored token, refreshed when it expires within the margin. */
  async tokenFor(sellerId: string): Promise<StoredLazadaToken> {
    const token = await this.opts.tokens.find(sellerId);
    if (!token)
      throw new LazadaApiError(
        'no_token',
        `Lazada seller ${sellerId} has not authorized this app: open the app's authorization link (the redirect lands on /lazada/oauth/callback)`,
        'no_token',
        false,
      );
    const margin = this.opts.refreshMarginMs ?? 60 * 60_000;
    if (token.accessTokenExpiresAt.getTime() - Date.now() > margin) return token;
    this.log('lazada access token expires soon; refreshing', { sellerId, expiresAt: token.accessTokenExpiresAt.toISOString() });
    return this.refresh(sellerId, token.accessToken);
  }

  /** One refresh at a time per seller: a shared promise in this process, a MongoDB lease across processes. */
  refresh(sellerId: string, staleAccessToken: string): Promise<StoredLazadaToken> {
    const running = this.refreshes.get(sellerId);
    if (running) return running;
    const p = this.refreshWithLease(sellerId, staleAccessToken).finally(() => this.refreshes.delete(sellerId));
    this.refreshes.set(sellerId, p);
    return p;
  }

  private refreshWithLease(sellerId: string, staleAccessToken: string): Promise<StoredLazadaToken> {
    const tokens = this.opts.tokens;
    return refreshUnderLease({
      staleAccessToken,
      leaseMs: LEASE_MS,
      current: () => tokens.find(sellerId),
      lease: (now, until) => tokens.lease(sellerId, staleAccessToken, { now, until }),
      release: async () => {
        await tokens.releaseLease(sellerId);
      },
      refresh: async (leased) => {
        try {
          const t = await this.tokenCall('/auth/token/refresh', { refresh_token: leased.refreshToken });
          const updated = await tokens.saveRefreshed(sellerId, tokenFields(t));
          this.log('lazada token refreshed', { sellerId, expiresAt: updated!.accessTokenExpiresAt.toISOString() });
          return updated!;
        } catch (e) {
          this.log('lazada token refresh failed', { sellerId, error: String(e) });
          throw e;
        }
      },
      noToken: () => new LazadaApiError('no_token', `no stored token for Lazada seller ${sellerId}`, 'no_token', false),
      busy: () =>
        new LazadaApiError(
          'refresh_busy',
          `another process has been refreshing seller ${sellerId}'s token for too long`,
          'transient',
          true,
        ),
    });
  }

  // ---------------------------------------------------------------- signed calls

  /**
   * A signed call for a seller, to the seller's country host. Refreshes the token first when it
   * expires within the margin, and once more (then retries once) when Lazada says it is invalid.
   */
  async call<T>(
    sellerId: string,
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | number | undefined> = {},
  ): Promise<T> {
    let token = await this.tokenFor(sellerId);
    const base = apiHostFor(this.opts.countries?.[sellerId] ?? token.country, this.opts.apiUrl);
    try {
      return await this.request<T>(base, method, path, params, token.accessToken);
    } catch (e) {
      if (!(e instanceof LazadaApiError) || e.kind !== 'token_expired') throw e;
      this.log('lazada access token refused; refreshing and retrying once', { sellerId, code: e.code });
      token = await this.refresh(sellerId, token.accessToken);
      try {
        return await this.request<T>(base, method, path, params, token.accessToken);
      } catch (again) {
        if (again instanceof LazadaApiError && again.kind === 'token_expired')
          throw new LazadaApiError(again.code, `token still refused after a refresh: ${again.message}`, 'auth', false, again.httpStatus);
        throw again;
      }
    }
  }

  private signed(path: string, params: Record<string, string | number | undefined>, accessToken?: string): URLSearchParams {
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p[k] = String(v);
    p.app_key = this.opts.appKey;
    p.timestamp = String(Date.now());
    p.sign_method = 'sha256';
    if (accessToken) p.access_token = accessToken;
    p.sign = signRequest(this.opts.appSecret, path, p);
    return new URLSearchParams(p);
  }

  private async request<T>(
    base: string,
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | number | undefined>,
    accessToken: string | undefined,
  ): Promise<T> {
    const q = this.signed(path, params, accessToken);
    const env = await this.fetchJson<{ code?: string; data?: T; message?: string; type?: string; request_id?: string }>(
      method === 'GET' ? `${base}${path}?${q}` : `${base}${path}`,
      method === 'GET'
        ? { method }
        : { method, headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: q.toString() },
    );
    return env.data as T;
  }

  private async tokenCall(path: string, params: Record<string, string>): Promise<TokenAnswer> {
    const q = this.signed(path, params);
    const t = await this.fetchJson<TokenAnswer>(`${this.authUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: q.toString(),
    });
    if (!t.access_token || !t.refresh_token || !t.expires_in)
      throw new LazadaApiError('bad_response', `${path} answered without tokens`, 'invalid', false);
    return t;
  }

  /** Fetch, parse, and throw a classified LazadaApiError unless the answer is `code: "0"`. */
  private async fetchJson<E extends { code?: string; message?: string; type?: string; request_id?: string }>(
    url: string,
    init: RequestInit,
  ): Promise<E> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      throw new LazadaApiError(
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
        `unreachable: ${e instanceof Error ? e.message : String(e)}`,
        'transient',
        true,
      );
    }
    const text = await res.text();
    let env: E | null;
    try {
      const v: unknown = text ? JSON.parse(text) : null;
      env = v && typeof v === 'object' ? (v as E) : null;
    } catch {
      env = null;
    }
    if (res.ok && env && String(env.code ?? '0') === '0') return env;
    const code = env?.code !== undefined ? String(env.code) : String(res.status);
    throw classifyError(code, env?.message ?? text.slice(0, 200), res.status, res.headers.get('retry-after'), env?.type, env?.request_id);
  }
}

function tokenFields(t: TokenAnswer): LazadaTokenFields {
  const now = Date.now();
  return {
    accessToken: t.access_token!,
    accessTokenExpiresAt: new Date(now + t.expires_in! * 1000),
    refreshToken: t.refresh_token!,
    refreshTokenExpiresAt: t.refresh_expires_in ? new Date(now + t.refresh_expires_in * 1000) : null,
  };
}
