/**
 * LINE webhooks: which channel signed the request (x-line-signature, checked with the SDK's
 * validateSignature on the exact bytes before anything in the body is read) and the events turned
 * into buyer messages.
 *
 * Sources: Messaging API reference, "Webhook event objects" and "Signature validation"
 * (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects,
 * https://developers.line.biz/en/docs/messaging-api/verify-webhook-signature/). The signature is the
 * base64 HMAC-SHA256 of the request body with the channel secret.
 *
 * What is answered: `message` events of a user in a one-to-one chat (`source.type: "user"`) in
 * `mode: "active"`. Group and multi-person chats, standby mode (another channel holds the chat),
 * follow/unfollow/postback/unsend and the rest are logged and skipped (docs/channels/line.md).
 */
import { validateSignature } from '@line/bot-sdk';
import { z } from 'zod';
import type { LineChannel } from '../../infra/config/index.js';
import type { Attachment } from '../channel.js';

export type SignatureCheck<C> = { ok: true; channel: C } | { ok: false; reason: 'missing' | 'invalid' };

/**
 * The channel among `candidates` whose secret produced `signature` over `rawBody`. Every candidate
 * is tried (timing-safe compare in the SDK), so a webhook URL shared by several shops routes by
 * signature before the body is parsed.
 */
export function signedBy<C extends Pick<LineChannel, 'secret'>>(
  rawBody: Buffer | undefined,
  signature: string | undefined,
  candidates: C[],
): SignatureCheck<C> {
  if (!signature) return { ok: false, reason: 'missing' };
  if (!rawBody || !/^[A-Za-z0-9+/]{43}=$/.test(signature.trim())) return { ok: false, reason: 'invalid' };
  let found: C | undefined;
  for (const c of candidates) if (validateSignature(rawBody, c.secret, signature.trim()) && !found) found = c;
  return found ? { ok: true, channel: found } : { ok: false, reason: 'invalid' };
}

export class WebhookShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookShapeError';
  }
}

const body = z.object({
  destination: z.string({ required_error: 'destination is required' }).min(1, 'destination must not be empty'),
  events: z.array(z.record(z.unknown()), { required_error: 'events is required', invalid_type_error: 'events must be a list' }),
});

const eventBase = z.object({
  type: z.string(),
  timestamp: z.number(),
  mode: z.string().optional(),
  webhookEventId: z.string().optional(),
  replyToken: z.string().optional(),
  deliveryContext: z.object({ isRedelivery: z.boolean() }).partial().optional(),
  source: z
    .object({ type: z.string(), userId: z.string().optional(), groupId: z.string().optional(), roomId: z.string().optional() })
    .optional(),
});

const messageShape = z.object({ id: z.string().min(1), type: z.string() }).passthrough();

export interface LineMessage {
  /** The bot user id the event was sent to (the payload's `destination`). */
  destination: string;
  /** `source.userId`: the buyer. */
  userId: string;
  /** `message.id`: stable across redeliveries, the dedupe key. */
  externalId: string;
  webhookEventId?: string;
  text: string;
  attachments: Attachment[];
  replyToken?: string;
  /** Event time (ms since epoch): the reply token's age counts from it. */
  timestamp: number;
  redelivery: boolean;
  type: string;
  raw: Record<string, unknown>;
}

export interface LineIgnored {
  reason: string;
  id?: string;
}

export interface ParsedLineWebhook {
  destination: string;
  messages: LineMessage[];
  ignored: LineIgnored[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Splits a verified webhook body into buyer messages and skipped events. Throws WebhookShapeError
 * (→ 400) when the body is not `{destination, events: [...]}`. `contentUrl(messageId)`: where a
 * medium sent by the user can be fetched (the content endpoint, with the channel access token).
 */
export function parseLineWebhook(raw: unknown, contentUrl: (messageId: string) => string): ParsedLineWebhook {
  const b = body.safeParse(raw);
  if (!b.success) throw new WebhookShapeError(b.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  const out: ParsedLineWebhook = { destination: b.data.destination, messages: [], ignored: [] };
  for (const [i, rawEvent] of b.data.events.entries()) {
    const e = eventBase.safeParse(rawEvent);
    if (!e.success)
      throw new WebhookShapeError(`events.${i}: ${e.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    const ev = e.data;
    const id = ev.webhookEventId;
    if (ev.type !== 'message') {
      out.ignored.push({ reason: `event ${ev.type}`, id });
      continue;
    }
    if (ev.mode && ev.mode !== 'active') {
      out.ignored.push({ reason: `mode ${ev.mode} (another channel holds this chat)`, id });
      continue;
    }
    if (ev.source?.type !== 'user' || !ev.source.userId) {
      out.ignored.push({ reason: `${ev.source?.type ?? 'unknown'} chat (only one-to-one chats are answered)`, id });
      continue;
    }
    const m = messageShape.safeParse(rawEvent.message);
    if (!m.success) throw new WebhookShapeError(`events.${i}.message: needs an id and a type`);
    const content = normalizeContent(m.data, contentUrl);
    if ('reason' in content) {
      out.ignored.push({ reason: content.reason, id: m.data.id });
      continue;
    }
    out.messages.push({
      destination: b.data.destination,
      userId: ev.source.userId,
      externalId: m.data.id,
      webhookEventId: id,
      ...content,
      replyToken: ev.replyToken,
      timestamp: ev.timestamp,
      redelivery: ev.deliveryContext?.isRedelivery === true,
      type: m.data.type,
      raw: rawEvent,
    });
  }
  return out;
}

/** One message object → text and attachments (media not downloaded: the URL is kept). */
function normalizeContent(
  m: { id: string; type: string } & Record<string, unknown>,
  contentUrl: (messageId: string) => string,
): { text: string; attachments: Attachment[] } | { reason: string } {
  const media = (): string => {
    const p = obj(m.contentProvider);
    return p.type === 'external' && str(p.originalContentUrl) ? str(p.originalContentUrl)! : contentUrl(m.id);
  };
  switch (m.type) {
    case 'text': {
      const text = str(m.text)?.trim() ? (m.text as string) : '';
      return text ? { text, attachments: [] } : { reason: 'text message without text' };
    }
    case 'image':
      return { text: '', attachments: [{ type: 'image', url: media() }] };
    case 'video':
      return { text: '', attachments: [{ type: 'video', url: media() }] };
    case 'audio':
      return { text: '', attachments: [{ type: 'audio', url: media() }] };
    case 'file':
      return {
        text: '',
        attachments: [
          {
            type: 'document',
            url: contentUrl(m.id),
            ...(str(m.fileName) ? { name: str(m.fileName) } : {}),
            ...(typeof m.fileSize === 'number' ? { sizeBytes: m.fileSize } : {}),
          },
        ],
      };
    case 'location': {
      const label = [str(m.title), str(m.address)].filter(Boolean).join(', ');
      const lat = Number(m.latitude);
      const lng = Number(m.longitude);
      return {
        text: label,
        attachments: [
          {
            type: 'location',
            ...(Number.isFinite(lat) && Number.isFinite(lng) ? { url: `geo:${lat},${lng}` } : {}),
            ...(label ? { name: label } : {}),
          },
        ],
      };
    }
    case 'sticker': {
      // A "message sticker" carries the words typed on it; the keywords only describe the image.
      const keywords = Array.isArray(m.keywords) ? m.keywords.filter((k): k is string => typeof k === 'string').slice(0, 5) : [];
      return {
        text: str(m.text) ?? '',
        attachments: [
          {
            type: 'sticker',
            name: `sticker ${String(m.packageId ?? '?')}/${String(m.stickerId ?? '?')}${keywords.length ? ` (${keywords.join(', ')})` : ''}`,
          },
        ],
      };
    }
    default:
      return { reason: `message type ${m.type}` };
  }
}
