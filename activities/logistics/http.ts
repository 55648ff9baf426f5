/**
 * HTTP for the tracking clients: a timeout on every request, bounded retries with backoff for 429
 * (honouring Retry-After) and 5xx/network failures, and an OAuth client-credentials token cache.
 *
 * Retry policy (one place, explicit): each client call retries 429/5xx/timeouts at most `retries`
 * times (default 2, so 3 attempts), waiting Retry-After when the carrier sends one (capped at
 * `maxRetryAfterMs`) or exponential backoff with jitter otherwise. When that is used up the client
 * throws RateLimitedError / ServerError, which are `retryable`: the Temporal activity (activity.ts)
 * lets Temporal's own retry policy take it from there, passing Retry-After on as the next delay.
 * NotFound and Unauthorized are never retried here beyond the single token refresh.
 */
import { BadResponseError, RateLimitedError, ServerError, UnauthorizedError } from './errors.js';
import { carrierErrors, carrierRequests, safely } from '../../infra/metrics.js';

/** One attempt's duration and outcome (infra/metrics.ts); errors also counted by kind. */
function observe(client: string, started: number, outcome: string): void {
  safely(() => {
    carrierRequests.observe({ carrier: client, outcome }, (performance.now() - started) / 1000);
    if (outcome !== 'ok' && outcome !== 'client_error') carrierErrors.inc({ carrier: client, kind: outcome });
  });
}

export interface HttpOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Retries after the first attempt for 429/5xx/network errors (default 2). */
  retries?: number;
  /** First backoff delay (default 500 ms), doubled each retry, with ±20 % jitter. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not waited for here: the error goes up at once (default 30 s). */
  maxRetryAfterMs?: number;
}

export const HTTP_DEFAULTS: Required<HttpOptions> = {
  timeoutMs: 15_000,
  retries: 2,
  backoffBaseMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON (undefined when empty). */
  body: unknown;
  /** How many attempts this response took (1 = no retry). */
  attempts: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Retry-After: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Sends the request, retrying 429/5xx/network failures as described above. Any other status is
 * returned for the client to map (2xx, 4xx).
 */
export async function send(client: string, req: HttpRequest, options: HttpOptions = {}): Promise<HttpResponse> {
  const o = { ...HTTP_DEFAULTS, ...options };
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    const started = performance.now();
    try {
      res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(o.timeoutMs) });
      observe(
        client,
        started,
        res.status === 429 ? 'rate_limited' : res.status >= 500 ? 'server_error' : res.status >= 400 ? 'client_error' : 'ok',
      );
    } catch (e) {
      observe(client, started, 'network');
      const what =
        e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
          ? `timed out after ${o.timeoutMs} ms`
          : 'network error';
      if (attempt > o.retries) throw new ServerError(client, `${req.method} ${new URL(req.url).pathname}: ${what}`, undefined, e);
      await sleep(backoff(o, attempt));
      continue;
    }
    if (res.status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      await res.body?.cancel();
      if (attempt > o.retries || (retryAfterMs ?? 0) > o.maxRetryAfterMs)
        throw new RateLimitedError(client, retryAfterMs, `rate limited after ${attempt} attempt(s)`);
      await sleep(retryAfterMs ?? backoff(o, attempt));
      continue;
    }
    if (res.status >= 500) {
      const body = await readBody(res);
      if (attempt > o.retries)
        throw new ServerError(
          client,
          `${req.method} ${new URL(req.url).pathname} answered ${res.status} after ${attempt} attempt(s): ${brief(body)}`,
          res.status,
        );
      await sleep(parseRetryAfter(res.headers.get('retry-after')) ?? backoff(o, attempt));
      continue;
    }
    return { status: res.status, headers: res.headers, body: await readBody(res), attempts: attempt };
  }
}

function backoff(o: Required<HttpOptions>, attempt: number): number {
  const base = Math.min(o.maxBackoffMs, o.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function brief(body: unknown): string {
  const s = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * OAuth 2.0 client-credentials token, cached until shortly before it expires. Concurrent callers
 * share one token request. `invalidate` drops a token the API refused so the next `get` fetches anew.
 */
export class TokenCache {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly fetchToken: () => Promise<{ accessToken: string; expiresInS: number }>,
    private readonly skewMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return this.token.value;
    this.pending ??= this.fetchToken()
      .then(({ accessToken, expiresInS }) => {
        // Never cache past the expiry, even for very short-lived tokens.
        const ttl = Math.max(0, expiresInS * 1000 - Math.min(this.skewMs, (expiresInS * 1000) / 2));
        this.token = { value: accessToken, expiresAt: this.now() + ttl };
        return accessToken;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  invalidate(token: string): void {
    if (this.token?.value === token) this.token = undefined;
  }
}

/** Reads an OAuth token response ({access_token, expires_in}); expires_in may be a string (UPS). */
export function readTokenResponse(client: string, res: HttpResponse): { accessToken: string; expiresInS: number } {
  if (res.status === 400 || res.status === 401 || res.status === 403)
    throw new UnauthorizedError(client, `token request refused (${res.status}): ${brief(res.body)}`, res.status);
  const b = res.body as { access_token?: unknown; expires_in?: unknown } | undefined;
  if (res.status !== 200 || typeof b?.access_token !== 'string')
    throw new BadResponseError(client, `unexpected token response (${res.status}): ${brief(res.body)}`, res.status);
  const expiresInS = Number(b.expires_in);
  return { accessToken: b.access_token, expiresInS: Number.isFinite(expiresInS) && expiresInS > 0 ? expiresInS : 300 };
}

/**
 * Calls the API with the cached token; on 401 drops the token, fetches a new one and tries once
 * more. A second 401 is UnauthorizedError (the credentials themselves are refused).
 */
export async function withToken(client: string, tokens: TokenCache, call: (token: string) => Promise<HttpResponse>): Promise<HttpResponse> {
  const first = await tokens.get();
  const res = await call(first);
  if (res.status !== 401) return res;
  tokens.invalidate(first);
  const again = await call(await tokens.get());
  if (again.status === 401) throw new UnauthorizedError(client, `token refused after one refresh: ${brief(again.body)}`, 401);
  return again;
}
