/**
 * WhatsApp Business Cloud API webhooks: signature check and normalization.
 *
 * Payload shapes follow Meta's "messages webhook reference"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 * and its per-type pages: text, image, interactive, button, location, status). One POST carries
 * `entry[].changes[]`; a change with `field: "messages"` has `value.metadata.phone_number_id`
 * (which business number), `value.messages[]` (buyer → business) and/or `value.statuses[]`
 * (delivery state of what the business sent). A change with `field: "smb_message_echoes"`
 * (coexistence: a WhatsApp Business app number onboarded to the Cloud API) has
 * `value.message_echoes[]`: messages a person sent from the WhatsApp Business app or a linked
 * device, each `{from: business display number, to: the customer's phone number, id, timestamp,
 * type, <type>: {…}}` ("smb_message_echoes webhook reference"); they become seller messages for
 * the customer `to` (digits only: the wa_id form). Everything else is ignored.
 *
 * Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed by the app secret>`
 * (Meta "Webhooks — Validating payloads", https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Attachment } from '../channel.js';

export type SignatureCheck = 'ok' | 'missing' | 'invalid';

/** Timing-safe check of `X-Hub-Signature-256` against the exact bytes received. */
export function checkSignature(rawBody: Buffer | undefined, header: string | undefined, appSecret: string): SignatureCheck {
  if (!header) return 'missing';
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m || !rawBody) return 'invalid';
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'invalid';
}

/** The header value Meta would send for this body (used by tests and local tools). */
export function signBody(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

const envelope = z.object({
  object: z.literal('whatsapp_business_account', {
    errorMap: () => ({ message: 'object must be "whatsapp_business_account"' }),
  }),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

const messagesValue = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  contacts: z.array(z.object({ wa_id: z.string().optional(), profile: z.object({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(z.record(z.unknown())).optional(),
  statuses: z.array(z.record(z.unknown())).optional(),
  errors: z.array(z.record(z.unknown())).optional(),
});

const echoesValue = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  message_echoes: z.array(z.record(z.unknown())).optional(),
});

const echoShape = z.object({
  from: z.string().optional(),
  to: z.string().min(1),
  id: z.string().min(1),
  // The syntax quotes it, the parameter table calls it an integer: either is taken.
  timestamp: z.union([z.string(), z.number()]).transform(String).optional(),
  type: z.string(),
});

const baseMessage = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
});

const statusShape = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

export class WebhookShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookShapeError';
  }
}

export interface WaMessage {
  phoneNumberId: string;
  /** wa_id of the buyer (`messages[].from`). */
  buyerId: string;
  /** wamid: the dedupe key. */
  externalId: string;
  text: string;
  attachments: Attachment[];
  /** What the buyer's message refers to: the message they replied to, or the button they tapped. */
  context?: { messageId?: string; from?: string; buttonId?: string };
  profileName?: string;
  platformTimestamp?: string;
  type: string;
  raw: Record<string, unknown>;
}

export interface WaStatus {
  phoneNumberId: string;
  /** The wamid of our outbound message. */
  id: string;
  status: string;
  recipientId?: string;
  errors: { code?: number; title?: string; message?: string; details?: string }[];
}

export interface WaIgnored {
  reason: string;
  id?: string;
}

export interface ParsedWebhook {
  messages: WaMessage[];
  /** smb_message_echoes: what the business sent from the WhatsApp Business app; `buyerId` = the customer it went to. */
  echoes: WaMessage[];
  statuses: WaStatus[];
  ignored: WaIgnored[];
}

/** Message types that carry nothing to answer (reactions, system notices, unsupported content). */
const IGNORED_TYPES = new Set(['reaction', 'unsupported', 'system', 'request_welcome', 'ephemeral', 'unknown']);
const MEDIA_TYPES = { image: 'image', video: 'video', audio: 'audio', document: 'document', sticker: 'sticker' } as const;

/**
 * Splits a verified webhook body into buyer messages, delivery statuses and ignored items. Throws
 * WebhookShapeError when the envelope is not a WhatsApp Business Account webhook (→ 400).
 * `mediaUrl(id)` builds a URL for media that came without one (the Graph media node).
 */
export function parseWebhook(body: unknown, mediaUrl: (mediaId: string) => string): ParsedWebhook {
  const env = envelope.safeParse(body);
  if (!env.success) throw new WebhookShapeError(env.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  const out: ParsedWebhook = { messages: [], echoes: [], statuses: [], ignored: [] };
  for (const entry of env.data.entry) {
    for (const change of entry.changes) {
      if (change.field === 'smb_message_echoes') {
        const value = echoesValue.safeParse(change.value);
        if (!value.success) {
          out.ignored.push({ reason: 'smb_message_echoes change without metadata.phone_number_id' });
          continue;
        }
        for (const rawEcho of value.data.message_echoes ?? []) {
          const e = normalizeEcho(rawEcho, value.data.metadata.phone_number_id, mediaUrl);
          if ('reason' in e) out.ignored.push(e);
          else out.echoes.push(e);
        }
        continue;
      }
      if (change.field !== 'messages') {
        out.ignored.push({ reason: `field ${change.field}` });
        continue;
      }
      const value = messagesValue.safeParse(change.value);
      if (!value.success) {
        out.ignored.push({ reason: `messages change without metadata.phone_number_id` });
        continue;
      }
      const phoneNumberId = value.data.metadata.phone_number_id;
      const names = new Map((value.data.contacts ?? []).map((c) => [c.wa_id ?? '', c.profile?.name]));
      for (const rawMessage of value.data.messages ?? []) {
        const m = normalizeMessage(rawMessage, phoneNumberId, mediaUrl);
        if ('reason' in m) out.ignored.push(m);
        else out.messages.push({ ...m, profileName: names.get(m.buyerId) ?? undefined });
      }
      for (const rawStatus of value.data.statuses ?? []) {
        const s = statusShape.safeParse(rawStatus);
        if (!s.success) {
          out.ignored.push({ reason: 'status without id/status' });
          continue;
        }
        out.statuses.push({
          phoneNumberId,
          id: s.data.id,
          status: s.data.status,
          recipientId: s.data.recipient_id,
          errors: (s.data.errors ?? []).map((e) => ({ code: e.code, title: e.title, message: e.message, details: e.error_data?.details })),
        });
      }
      for (const err of value.data.errors ?? []) out.ignored.push({ reason: `webhook error ${JSON.stringify(err).slice(0, 200)}` });
    }
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * One `message_echoes[]` item → a message with `buyerId` = the customer it was sent to. `to` is the
 * customer's phone number as the business app addressed it (Meta's example: "+16505551234"); the
 * digits are the wa_id form the customer's own messages carry in `from` (Meta warns the two may
 * differ for some numbers). The contents follow the send payloads; an interactive message's text is
 * its body, a template is named.
 */
function normalizeEcho(
  raw: Record<string, unknown>,
  phoneNumberId: string,
  mediaUrl: (mediaId: string) => string,
): Omit<WaMessage, 'profileName'> | WaIgnored {
  const e = echoShape.safeParse(raw);
  if (!e.success) return { reason: 'message echo without to/id/type', id: str(raw.id) };
  const { to, id, type } = e.data;
  const buyerId = to.replace(/\D/g, '');
  if (!buyerId) return { reason: 'message echo without a customer number', id };
  const common = { phoneNumberId, buyerId, externalId: id, platformTimestamp: e.data.timestamp, type, raw };
  if (type === 'interactive') {
    const text = str(obj(obj(raw.interactive).body).text) ?? '';
    return text ? { ...common, text, attachments: [] } : { reason: 'interactive echo without a body', id };
  }
  if (type === 'template') {
    const name = str(obj(raw.template).name);
    return { ...common, text: '', attachments: [{ type: 'other', name: `template${name ? ` ${name}` : ''}` }] };
  }
  const m = normalizeMessage({ ...raw, from: buyerId }, phoneNumberId, mediaUrl);
  if ('reason' in m) return { ...m, reason: `echo: ${m.reason}` };
  const { context: _context, ...message } = m;
  return message;
}

function normalizeMessage(
  raw: Record<string, unknown>,
  phoneNumberId: string,
  mediaUrl: (mediaId: string) => string,
): Omit<WaMessage, 'profileName'> | WaIgnored {
  const base = baseMessage.safeParse(raw);
  if (!base.success) return { reason: 'message without from/id/type', id: str(raw.id) };
  const { from, id, type } = base.data;
  if (IGNORED_TYPES.has(type)) return { reason: `message type ${type}`, id };
  const context: WaMessage['context'] = base.data.context ? { messageId: base.data.context.id, from: base.data.context.from } : undefined;
  const common = { phoneNumberId, buyerId: from, externalId: id, platformTimestamp: base.data.timestamp, type, raw };
  let text = '';
  const attachments: Attachment[] = [];
  let buttonId: string | undefined;

  if (type === 'text') {
    text = str(obj(raw.text).body) ?? '';
  } else if (type === 'button') {
    // A quick-reply button of a template message.
    const b = obj(raw.button);
    text = str(b.text) ?? str(b.payload) ?? '';
    buttonId = str(b.payload);
  } else if (type === 'interactive') {
    const i = obj(raw.interactive);
    const reply = obj(i.button_reply ?? i.list_reply);
    text = str(reply.title) ?? str(obj(i.nfm_reply).body) ?? '';
    buttonId = str(reply.id);
    if (!text) return { reason: `interactive ${str(i.type) ?? '?'} without a title`, id };
  } else if (type in MEDIA_TYPES) {
    const media = obj(raw[type]);
    const mediaId = str(media.id);
    text = str(media.caption) ?? '';
    attachments.push({
      type: MEDIA_TYPES[type as keyof typeof MEDIA_TYPES],
      ...(str(media.url) ? { url: str(media.url) } : mediaId ? { url: mediaUrl(mediaId) } : {}),
      ...(str(media.mime_type) ? { mimeType: str(media.mime_type) } : {}),
      ...(str(media.filename) ? { name: str(media.filename) } : {}),
    });
  } else if (type === 'location') {
    const l = obj(raw.location);
    const lat = typeof l.latitude === 'number' ? l.latitude : Number(l.latitude);
    const lng = typeof l.longitude === 'number' ? l.longitude : Number(l.longitude);
    const label = [str(l.name), str(l.address)].filter(Boolean).join(', ');
    text = label;
    attachments.push({
      type: 'location',
      ...(Number.isFinite(lat) && Number.isFinite(lng) ? { url: `geo:${lat},${lng}` } : {}),
      ...(label ? { name: label } : {}),
    });
  } else if (type === 'contacts') {
    const names = (Array.isArray(raw.contacts) ? raw.contacts : []).map((c) => str(obj(obj(c).name).formatted_name)).filter(Boolean);
    attachments.push({ type: 'other', name: `contacts: ${names.join(', ') || '?'}` });
  } else if (type === 'order') {
    attachments.push({ type: 'other', name: 'order' });
  } else {
    return { reason: `message type ${type}`, id };
  }
  // Nothing to answer (e.g. a text message whose text.body is missing or not a string): ignored, nothing recorded.
  if (!text.trim() && attachments.length === 0) return { reason: `${type} message without text`, id };
  const ctx = context || buttonId ? { ...context, ...(buttonId ? { buttonId } : {}) } : undefined;
  return { ...common, text, attachments, ...(ctx ? { context: ctx } : {}) };
}
