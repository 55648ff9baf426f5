/**
 * TranslationError: every provider failure mapped to one of a few kinds, so callers decide the same
 * way whatever the provider. `retryable`: trying later can help (rate limit, transient). Messages
 * never carry request headers (the keys); response bodies are shortened and redacted.
 */
import { redactText } from '../secrets/redact.js';
import type { ProviderName } from './types.js';

export type TranslationErrorKind =
  /** 401/403: key missing, wrong or revoked. */
  | 'auth'
  /** The account's character/token quota is used up (DeepL 456, Azure 403001): not retried. */
  | 'quota'
  /** 429 after the client's retries; `retryAfterMs` when the provider said. */
  | 'rate_limited'
  /** Another 4xx: unsupported language, bad model name, text too long… */
  | 'bad_request'
  /** 5xx, timeout or network failure after the client's retries. */
  | 'transient'
  /** A 2xx we cannot read, or a translation that lost a protected term. */
  | 'bad_response';

export class TranslationError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly provider: ProviderName,
    readonly kind: TranslationErrorKind,
    message: string,
    readonly opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`${provider} translation: ${kind}: ${redactText(message)}`, { cause: opts.cause });
    this.name = 'TranslationError';
    this.retryable = kind === 'rate_limited' || kind === 'transient';
  }
  get status(): number | undefined {
    return this.opts.status;
  }
  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }
}

/** A response body shortened for an error message. */
export function brief(body: unknown): string {
  const s = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
