/**
 * Bot Connector refusals → ChannelSendError (see bots/channel.ts). The connector client throws a
 * RestError with `statusCode` and the response (Retry-After header on 429); the Bot Connector API
 * documents the codes at
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#http-status-codes
 */
import { ChannelSendError } from '../channel.js';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
}

/** Seconds or an HTTP date (RFC 9110 Retry-After) → milliseconds. */
export function retryAfterMs(v: string | undefined | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export function botFrameworkSendError(e: unknown): unknown {
  if (e instanceof ChannelSendError || typeof e !== 'object' || e === null) return e;
  const r = e as RestErrorLike;
  const status = r.statusCode;
  const detail = (r.response?.bodyAsText ?? '').slice(0, 300) || r.message || 'error';
  if (typeof status !== 'number') {
    // No HTTP answer: network failure, or the token endpoint (MSAL) failed — both may pass.
    return new ChannelSendError('botframework', r.code ?? 'network', r.message ?? String(e), true);
  }
  const code = String(status);
  // Throttled: wait as long as the connector says.
  if (status === 429)
    return new ChannelSendError('botframework', code, detail, true, retryAfterMs(r.response?.headers?.get?.('retry-after')));
  // 403: the bot is not allowed in this conversation any more (blocked, removed from the team…);
  // 404: the conversation does not exist; 400: the activity is refused as it is. Retrying changes nothing.
  if (status === 403 || status === 404 || status === 400) return new ChannelSendError('botframework', code, detail, false);
  // 401: our token was refused (app id/password/tenant misconfigured) — fixed by an operator, then retries pass.
  // 5xx: the connector's side.
  return new ChannelSendError('botframework', code, detail, status === 401 || status >= 500);
}
