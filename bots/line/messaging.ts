/**
 * The sending side of the LINE Messaging API through the official SDK (@line/bot-sdk
 * `messagingApi.MessagingApiClient`): the message objects for an OutboundMessage, the retry key of a
 * push, and the mapping of LINE's error responses onto ChannelSendError.
 *
 * Sources (Messaging API reference, https://developers.line.biz/en/reference/messaging-api/):
 * "Send reply message" / "Send push message" (at most 5 message objects; response
 * `{sentMessages: [{id, quoteToken}]}`), "Text message" (at most 5000 characters), "Quick reply"
 * (at most 13 items; a message action's label at most 20 characters, its text at most 300),
 * "Status codes" and "Error responses" (`{message, details: [{message, property}]}`), and
 * "Retry failed API requests" (X-Line-Retry-Key: a hex UUID; a repeated key answers 409 with
 * `x-line-accepted-request-id`; keys are valid for 24 hours).
 */
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { createHash, randomUUID } from 'node:crypto';
import { ChannelSendError, type OutboundMessage } from '../channel.js';

export const CHANNEL_ID = 'line';

const TEXT_MAX = 5000;
const MESSAGES_MAX = 5;
const QUICK_REPLY_MAX = 13;
const LABEL_MAX = 20;
const ACTION_TEXT_MAX = 300;

/** Cut at a code point boundary (LINE counts characters, not UTF-16 units). */
function cut(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/**
 * Text message objects for `msg`: a text longer than 5000 characters is split (at most 5 messages,
 * the limit of one request); quick replies go on the last one (LINE shows them only there).
 */
export function buildMessages(msg: Pick<OutboundMessage, 'text' | 'quickReplies'>): messagingApi.TextMessage[] {
  const cps = [...(msg.text.trim() ? msg.text : ' ')];
  const parts: string[] = [];
  for (let i = 0; i < cps.length && parts.length < MESSAGES_MAX; i += TEXT_MAX) parts.push(cps.slice(i, i + TEXT_MAX).join(''));
  if (cps.length > TEXT_MAX * MESSAGES_MAX) parts[MESSAGES_MAX - 1] = cut(parts[MESSAGES_MAX - 1]!, TEXT_MAX);
  const items = (msg.quickReplies ?? [])
    .map((q) => q.trim())
    .filter(Boolean)
    .slice(0, QUICK_REPLY_MAX)
    .map((q): messagingApi.QuickReplyItem => ({
      type: 'action',
      action: { type: 'message', label: cut(q, LABEL_MAX), text: cut(q, ACTION_TEXT_MAX) } as messagingApi.MessageAction,
    }));
  return parts.map((text, i) => ({
    type: 'text',
    text,
    ...(i === parts.length - 1 && items.length ? { quickReply: { items } } : {}),
  }));
}

/**
 * The X-Line-Retry-Key for a send: a UUID derived from our idempotency key (the same on every retry
 * of the send activity, so LINE accepts the push once), random when there is none.
 */
export function retryKeyFor(idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const h = createHash('sha256').update(`line-retry-key:${idempotencyKey}`).digest('hex');
  // Shaped as a version-4/variant-1 UUID so any UUID check accepts it.
  const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function client(apiUrl: string, accessToken: string): messagingApi.MessagingApiClient {
  return new messagingApi.MessagingApiClient({ channelAccessToken: accessToken, baseURL: apiUrl });
}

/** LINE's error body: `{message, details?: [{message, property}]}`. */
function errorBody(e: HTTPFetchError): { message: string; details: string[] } {
  try {
    const b = JSON.parse(e.body) as { message?: unknown; details?: { message?: unknown; property?: unknown }[] };
    return {
      message: typeof b.message === 'string' ? b.message : e.statusText || `HTTP ${e.status}`,
      details: Array.isArray(b.details) ? b.details.map((d) => `${String(d.property ?? '')}: ${String(d.message ?? '')}`) : [],
    };
  } catch {
    return { message: e.statusText || `HTTP ${e.status}`, details: [] };
  }
}

export function isHttpError(e: unknown): e is HTTPFetchError {
  return (
    e instanceof HTTPFetchError ||
    (e instanceof Error && e.name === 'HTTPFetchError' && typeof (e as { status?: unknown }).status === 'number')
  );
}

/** A refused reply token (expired or already used): push instead. */
export function isInvalidReplyToken(e: unknown): boolean {
  return isHttpError(e) && e.status === 400 && /reply ?token/i.test(errorBody(e).message);
}

/** Retry-After in ms (seconds or an HTTP date), if the response had one. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Default wait after a 429 without Retry-After (LINE documents none; back off a little). */
export const RATE_LIMIT_WAIT_MS = 2000;

/**
 * A LINE error response → ChannelSendError. 429: retryable after Retry-After (default 2 s), except
 * the monthly message quota (not retryable until the plan resets); 5xx: retryable; 400 (invalid
 * request, bad user id), 401 (channel access token invalid or revoked), 403 (not allowed), 404:
 * not retryable. Anything else (a network error) is returned unchanged: the activity retries it,
 * and a push carries its retry key so the retry cannot deliver twice.
 */
export function lineSendError(e: unknown): unknown {
  if (!isHttpError(e)) return e;
  const { message, details } = errorBody(e);
  const text = details.length ? `${message} (${details.join('; ')})` : message;
  const status = e.status;
  if (status === 429) {
    if (/monthly limit/i.test(message)) return new ChannelSendError(CHANNEL_ID, 'quota_exceeded', text, false);
    return new ChannelSendError(CHANNEL_ID, '429', text, true, parseRetryAfter(e.headers?.get?.('retry-after')) ?? RATE_LIMIT_WAIT_MS);
  }
  if (status >= 500) return new ChannelSendError(CHANNEL_ID, String(status), text, true);
  if (status === 401) return new ChannelSendError(CHANNEL_ID, 'unauthorized', `${text}: check the channel access token`, false);
  return new ChannelSendError(CHANNEL_ID, String(status), text, false);
}
