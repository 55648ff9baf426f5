/**
 * Lazada IM messages → buyer and seller messages, and outbound messages → /im/message/send calls.
 *
 * One shape for both ways in: the push ("Lazada Push Mechanism": `{seller_id, message_type, data,
 * timestamp, site}`, an IM message in `data`) and the pull (/im/message/list `message_list[]`).
 * A message: message_id, session_id, template_id, content (a JSON string), from_account_type
 * (1 buyer, 2 seller), from_account_id, to_account_id, send_time (ms), auto_reply.
 * template_id: 1 text {txt}; 3 image {imgUrl}; 4 emoji {txt|url}; 6 video {videoUrl}; 10006
 * product card {itemId}; 10007 order card {orderId}; 10008 voucher {voucherId}. Others (system
 * notices, unknown templates) and Lazada's auto-replies are ignored. Sources and what was checked
 * against what: docs/channels/lazada.md.
 */
import { z } from 'zod';
import type { ImMessage } from '../../infra/platforms/lazada/open-api.js';
import type { Attachment, OutboundMessage } from '../channel.js';

/** message_type of the IM message push. */
export const IM_MESSAGE_PUSH = 2;

export const TEMPLATE = { text: 1, image: 3, emoji: 4, video: 6, product: 10006, order: 10007, voucher: 10008 } as const;

/** Lazada's text limit is not documented in what we read; long answers are cut here. */
const TEXT_MAX = 2000;

export class PushShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushShapeError';
  }
}

const idish = z.union([z.string().min(1), z.number()]).transform(String);

const envelope = z.object({
  seller_id: z.union([z.string(), z.number()], { required_error: 'seller_id is required' }).transform(String),
  message_type: z.number({ required_error: 'message_type is required', invalid_type_error: 'message_type must be a number' }).int(),
  data: z.record(z.unknown(), { required_error: 'data is required', invalid_type_error: 'data must be an object' }),
  timestamp: z.number().optional(),
  site: z.string().optional(),
});

const imMessage = z.object({
  message_id: idish,
  session_id: z.string({ required_error: 'session_id is required' }).min(1, 'session_id is required'),
  template_id: z.union([z.number(), z.string()]).transform(Number),
  content: z.string().optional(),
  from_account_type: z.union([z.number(), z.string()]).transform(Number),
  from_account_id: idish,
  to_account_id: idish.optional(),
  send_time: z.number().optional(),
  auto_reply: z.boolean().optional(),
});

export interface LazadaMessage {
  sellerId: string;
  sessionId: string;
  /** 'buyer': from_account_type 1; 'seller': 2 (a person in Seller Center, or our own send). */
  author: 'buyer' | 'seller';
  /** The buyer's Lazada user id: the sender of a buyer message, the recipient of a seller message (absent when the message does not say). */
  buyerId?: string;
  senderId: string;
  externalId: string;
  text: string;
  attachments: Attachment[];
  orderRefs: string[];
  templateId: number;
  sendTime?: number;
  raw: unknown;
}

export type Normalized = { kind: 'message'; message: LazadaMessage } | { kind: 'ignored'; reason: string; id?: string };

export type ParsedPush = Normalized & { sellerId: string; messageType: number };

function parseContent(content: string | undefined): Record<string, unknown> {
  if (!content) return {};
  try {
    const v: unknown = JSON.parse(content);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { txt: String(v) };
  } catch {
    return { txt: content };
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
const issues = (e: z.ZodError, prefix = '') => e.issues.map((i) => `${prefix}${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

/** One IM message (push `data` or a pulled message) of a seller's shop. Throws PushShapeError when it lacks what a message needs. */
export function normalizeMessage(sellerId: string, input: ImMessage | Record<string, unknown>): Normalized {
  const r = imMessage.safeParse(input);
  if (!r.success) throw new PushShapeError(issues(r.error, 'data.'));
  const d = r.data;
  const ignored = (reason: string): Normalized => ({ kind: 'ignored', reason, id: d.message_id });
  if (d.auto_reply) return ignored('Lazada auto-reply');
  if (d.from_account_type !== 1 && d.from_account_type !== 2) return ignored(`from_account_type ${d.from_account_type}`);
  const seller = d.from_account_type === 2;
  const c = parseContent(d.content);
  let text = '';
  const attachments: Attachment[] = [];
  const orderRefs: string[] = [];
  switch (d.template_id) {
    case TEMPLATE.text:
      text = str(c.txt) ?? '';
      if (!text.trim()) return ignored('empty text');
      break;
    case TEMPLATE.image:
      attachments.push({ type: 'image', ...(str(c.imgUrl ?? c.img_url ?? c.url) ? { url: str(c.imgUrl ?? c.img_url ?? c.url) } : {}) });
      break;
    case TEMPLATE.emoji:
      attachments.push({ type: 'sticker', ...(str(c.url) ? { url: str(c.url) } : {}), ...(str(c.txt) ? { name: str(c.txt) } : {}) });
      break;
    case TEMPLATE.video:
      attachments.push({ type: 'video', ...(str(c.videoUrl ?? c.url) ? { url: str(c.videoUrl ?? c.url) } : {}) });
      break;
    case TEMPLATE.product: {
      const id = str(c.itemId ?? c.item_id);
      attachments.push({ type: 'other', name: `product_card${id ? ` item_id=${id}` : ''}` });
      break;
    }
    case TEMPLATE.order: {
      const id = str(c.orderId ?? c.order_id);
      attachments.push({ type: 'other', name: `order_card${id ? ` order_id=${id}` : ''}` });
      if (id) orderRefs.push(id);
      break;
    }
    case TEMPLATE.voucher: {
      const id = str(c.voucherId ?? c.voucher_id);
      attachments.push({ type: 'other', name: `voucher_card${id ? ` voucher_id=${id}` : ''}` });
      break;
    }
    default:
      return ignored(`template_id ${d.template_id}`);
  }
  const buyerId = seller ? d.to_account_id : d.from_account_id;
  return {
    kind: 'message',
    message: {
      sellerId,
      sessionId: d.session_id,
      author: seller ? 'seller' : 'buyer',
      ...(buyerId ? { buyerId } : {}),
      senderId: d.from_account_id,
      externalId: d.message_id,
      text,
      attachments,
      orderRefs,
      templateId: d.template_id,
      sendTime: d.send_time,
      raw: input,
    },
  };
}

/** A verified push body. Throws PushShapeError when it is not a Lazada push (→ 400). */
export function parsePush(body: unknown): ParsedPush {
  const env = envelope.safeParse(body);
  if (!env.success) throw new PushShapeError(issues(env.error));
  const { seller_id: sellerId, message_type: messageType, data } = env.data;
  if (messageType !== IM_MESSAGE_PUSH) return { kind: 'ignored', reason: `message_type ${messageType}`, sellerId, messageType };
  const n = normalizeMessage(sellerId, data);
  if (n.kind === 'message') n.message.raw = env.data;
  return { ...n, sellerId, messageType };
}

/** One /im/message/send call: template and its fields. */
export interface SendPart {
  templateId: number;
  fields: Record<string, string>;
}

const CARD = /^(order_card|product_card)\s+(order_id|item_id)=(\S+)/;

/** The text sent: quick replies listed (Lazada chat has no buttons), cut to TEXT_MAX. */
export function lazadaText(msg: OutboundMessage): string {
  const options = (msg.quickReplies ?? []).map((q) => q.trim()).filter(Boolean);
  const full = options.length ? `${msg.text}\n\n${options.map((o, i) => `${i + 1}. ${o}`).join('\n')}` : msg.text;
  const chars = [...full];
  return chars.length <= TEXT_MAX ? full : `${chars.slice(0, TEXT_MAX - 1).join('')}…`;
}

/**
 * An outbound message as /im/message/send calls, in order: the text (template 1), each image with a
 * URL (template 3, img_url), each order card (`{type: 'other', name: 'order_card order_id=…'}` →
 * template 10007) and product card (`product_card item_id=…` → 10006). Other attachments: not sent.
 */
export function sendParts(msg: OutboundMessage): { parts: SendPart[]; skipped: number } {
  const parts: SendPart[] = [];
  let skipped = 0;
  const text = lazadaText(msg);
  if (text.trim()) parts.push({ templateId: TEMPLATE.text, fields: { txt: text } });
  for (const a of msg.attachments ?? []) {
    const card = a.type === 'other' && a.name ? CARD.exec(a.name) : null;
    if (a.type === 'image' && a.url) parts.push({ templateId: TEMPLATE.image, fields: { img_url: a.url } });
    else if (card?.[1] === 'order_card') parts.push({ templateId: TEMPLATE.order, fields: { order_id: card[3]! } });
    else if (card?.[1] === 'product_card') parts.push({ templateId: TEMPLATE.product, fields: { item_id: card[3]! } });
    else skipped++;
  }
  return { parts, skipped };
}
