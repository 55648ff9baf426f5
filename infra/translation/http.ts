/**
 * HTTP for the translation clients: plain fetch with a timeout on every attempt, bounded retries for
 * 429 (waiting Retry-After when the provider sends one, up to `maxRetryAfterMs`) and for 5xx,
 * timeouts and network failures (exponential backoff with jitter), then the status mapped to a
 * TranslationError. Retries: `retries` after the first attempt (default 2, so 3 attempts).
 */
import { brief as briefBody, TranslationError, type TranslationErrorKind } from './errors.js';
import type { ProviderName } from './types.js';

export interface TranslatorHttpOptions {
  /** Per attempt (default 20 s; SORA_TRANSLATE_TIMEOUT). */
  timeoutMs?: number;
  /** Retries after the first attempt for 429/5xx/network errors (default 2). */
  retries?: number;
  /** First backoff (default 500 ms), doubled each retry, ±20 % jitter. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not waited for: the rate_limited error goes up at once (default 30 s). */
  maxRetryAfterMs?: number;
}

export const TRANSLATOR_HTTP_DEFAULTS: Required<TranslatorHttpOptions> = {
  timeoutMs: 20_000,
  retries: 2,
  backoffBaseMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/** Retry-After: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function backoff(o: Required<TranslatorHttpOptions>, attempt: number): number {
  const base = Math.min(o.maxBackoffMs, o.backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface PostJson {
  provider: ProviderName;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The kind of a 4xx the generic rules do not cover (e.g. DeepL 456 → quota); undefined: the generic rule. */
  classify?: (status: number, body: unknown) => TranslationErrorKind | undefined;
  /** The request's secrets: masked wherever a response body echoes them into an error message. */
  secrets: string[];
}

/** POSTs JSON and returns the parsed 2xx body; anything else becomes a TranslationError. */
export async function postJson(req: PostJson, options: TranslatorHttpOptions = {}): Promise<unknown> {
  const o = { ...TRANSLATOR_HTTP_DEFAULTS, ...options };
  const secrets = req.secrets.filter((x) => x.length >= 4);
  const brief = (body: unknown) => secrets.reduce((s, x) => s.split(x).join('[redacted]'), briefBody(body));
  const where = `POST ${new URL(req.url).pathname}`;
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...req.headers },
        body: JSON.stringify(req.body),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (e) {
      const what =
        e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
          ? `timed out after ${o.timeoutMs} ms`
          : 'network error';
      if (attempt > o.retries)
        throw new TranslationError(req.provider, 'transient', `${where}: ${what} (${attempt} attempts)`, { cause: e });
      await sleep(backoff(o, attempt));
      continue;
    }
    if (res.status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      const body = await readBody(res);
      if (attempt > o.retries || (retryAfterMs ?? 0) > o.maxRetryAfterMs)
        throw new TranslationError(req.provider, 'rate_limited', `${where}: 429 after ${attempt} attempt(s): ${brief(body)}`, {
          status: 429,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      await sleep(retryAfterMs ?? backoff(o, attempt));
      continue;
    }
    const body = await readBody(res);
    if (res.status >= 500) {
      if (attempt > o.retries)
        throw new TranslationError(
          req.provider,
          'transient',
          `${where} answered ${res.status} after ${attempt} attempt(s): ${brief(body)}`,
          {
            status: res.status,
          },
        );
      await sleep(parseRetryAfter(res.headers.get('retry-after')) ?? backoff(o, attempt));
      continue;
    }
    if (res.status >= 200 && res.status < 300) return body;
    const kind = req.classify?.(res.status, body) ?? (res.status === 401 || res.status === 403 ? 'auth' : 'bad_request');
    throw new TranslationError(req.provider, kind, `${where} answered ${res.status}: ${brief(body)}`, { status: res.status });
  }
}

/** base + path without a doubled slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
