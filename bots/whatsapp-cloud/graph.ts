/**
 * The Graph API side of the WhatsApp Business Cloud API: `POST /{version}/{phone-number-id}/messages`
 * with a Bearer token, and the mapping of Graph errors onto ChannelSendError (retry or give up).
 *
 * Message shapes: Meta "Text messages" and "Interactive reply buttons messages"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages):
 * up to 3 buttons, each `{type: "reply", reply: {id, title}}`, title at most 20 characters, body at
 * most 1024 characters. Error codes: Meta "Error codes"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
 */
import { ChannelSendError, type OutboundMessage } from '../channel.js';

export const CHANNEL_ID = 'whatsapp-cloud';

const TEXT_MAX = 4096;
const BUTTON_BODY_MAX = 1024;
const BUTTON_TITLE_MAX = 20;
const BUTTONS_MAX = 3;

/** The JSON body for one outbound message: reply buttons when the quick replies fit, else text. */
export function buildMessagePayload(to: string, msg: OutboundMessage): Record<string, unknown> {
  const options = (msg.quickReplies ?? []).map((q) => q.trim()).filter(Boolean);
  const fitsButtons =
    options.length > 0 &&
    options.length <= BUTTONS_MAX &&
    options.every((o) => [...o].length <= BUTTON_TITLE_MAX) &&
    new Set(options).size === options.length &&
    msg.text.trim().length > 0 &&
    [...msg.text].length <= BUTTON_BODY_MAX;
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (fitsButtons) {
    return {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: msg.text },
        action: { buttons: options.map((title, i) => ({ type: 'reply', reply: { id: `qr-${i + 1}`, title } })) },
      },
    };
  }
  const listed = options.length ? `${msg.text}\n\n${options.map((o, i) => `${i + 1}. ${o}`).join('\n')}` : msg.text;
  return { ...base, type: 'text', text: { body: truncate(listed, TEXT_MAX), preview_url: false } };
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

interface GraphErrorBody {
  error?: { code?: number; message?: string; error_subcode?: number; type?: string; error_data?: { details?: string } };
}

/** Graph error codes that mean "slow down": [retry delay in ms, what it is]. */
const RATE_LIMITS: Record<number, [number, string]> = {
  130429: [5_000, 'Cloud API throughput limit reached'],
  131056: [6_000, 'pair rate limit (too many messages to this buyer)'],
  131048: [60_000, 'spam rate limit'],
  80007: [60_000, 'WhatsApp Business Account rate limit'],
  4: [60_000, 'application request limit'],
  17: [60_000, 'user request limit'],
  32: [60_000, 'page request limit'],
  613: [60_000, 'call rate limit'],
};

/** Graph error codes worth retrying with the normal backoff (transient on Meta's side). */
const TRANSIENT = new Set([1, 2, 131000, 131016, 133004]);

/** Codes that will not get better by retrying, with a hint for the log / message record. */
const PERMANENT: Record<number, string> = {
  131047: 'more than 24 hours since the buyer last wrote: only a template message can reopen the conversation',
  190: 'access token expired or invalid: set a new SORA_WHATSAPP_CLOUD_ACCESS_TOKEN',
  0: 'authentication failed: check SORA_WHATSAPP_CLOUD_ACCESS_TOKEN',
  3: 'the app lacks the capability for this call',
  10: 'permission denied: the token lacks whatsapp_business_messaging',
  100: 'invalid parameter',
  131026: 'message undeliverable to this buyer',
  131051: 'unsupported message type',
  131008: 'required parameter missing',
  131009: 'parameter value invalid',
  131021: 'recipient cannot be the sender',
  131031: 'business account locked',
  131045: 'phone number not registered / certificate error',
  133010: 'phone number not registered with the Cloud API',
  368: 'temporarily blocked for policy violations',
};

/** Seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** A non-2xx Graph answer → ChannelSendError with the right retry behaviour. */
export function graphError(httpStatus: number, body: unknown, retryAfterHeader?: string | null): ChannelSendError {
  const err = (body as GraphErrorBody | null)?.error;
  const code = typeof err?.code === 'number' ? err.code : undefined;
  const detail = [err?.message, err?.error_data?.details].filter(Boolean).join(' — ') || `HTTP ${httpStatus}`;
  const retryAfter = parseRetryAfter(retryAfterHeader);
  if (code !== undefined && code in RATE_LIMITS) {
    const [delay, what] = RATE_LIMITS[code]!;
    return new ChannelSendError(CHANNEL_ID, String(code), `${what}: ${detail}`, true, retryAfter ?? delay);
  }
  if (code !== undefined && code in PERMANENT)
    return new ChannelSendError(CHANNEL_ID, String(code), `${PERMANENT[code]}: ${detail}`, false);
  if (code !== undefined && TRANSIENT.has(code)) return new ChannelSendError(CHANNEL_ID, String(code), detail, true, retryAfter);
  if (code !== undefined && code >= 200 && code <= 299)
    return new ChannelSendError(CHANNEL_ID, String(code), `permission error: ${detail}`, false);
  if (httpStatus === 429) return new ChannelSendError(CHANNEL_ID, String(code ?? 429), detail, true, retryAfter ?? 5_000);
  if (httpStatus >= 500) return new ChannelSendError(CHANNEL_ID, String(code ?? httpStatus), detail, true, retryAfter);
  return new ChannelSendError(CHANNEL_ID, String(code ?? httpStatus), detail, false);
}

export interface GraphClientOptions {
  graphUrl: string;
  graphVersion: string;
  accessToken: string;
  timeoutMs?: number;
}

/** Sends one message; resolves to its wamid or throws ChannelSendError. */
export async function postMessage(opts: GraphClientOptions, phoneNumberId: string, payload: Record<string, unknown>): Promise<string> {
  const url = `${opts.graphUrl.replace(/\/+$/, '')}/${opts.graphVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const name = e instanceof Error ? e.name : '';
    const code = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
    throw new ChannelSendError(CHANNEL_ID, code, `Graph API unreachable: ${e instanceof Error ? e.message : String(e)}`, true);
  }
  const body = parseJson(await res.text());
  if (!res.ok) throw graphError(res.status, body, res.headers.get('retry-after'));
  const id = (body as { messages?: { id?: string }[] } | null)?.messages?.[0]?.id;
  if (!id)
    throw new ChannelSendError(
      CHANNEL_ID,
      'bad_response',
      `Graph API answered ${res.status} without messages[0].id (not retried: it may have been sent)`,
      false,
    );
  return id;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
