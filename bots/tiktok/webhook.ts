/**
 * TikTok Shop webhook bodies → buyer and seller messages.
 *
 * Every notification is `{type, tts_notification_id, shop_id, timestamp, data}` ("Webhooks
 * overview", https://partner.tiktokshop.com/docv2/page/tts-webhooks-overview). Customer service
 * uses type 14, "New message" (https://partner.tiktokshop.com/docv2/page/14-new-message): `data`
 * has message_id, index, conversation_id, type (TEXT, IMAGE, VIDEO, EMOTICONS, PRODUCT_CARD,
 * ORDER_CARD, LOGISTICS_CARD, COUPON_CARD, ALLOCATED_SERVICE, NOTIFICATION,
 * BUYER_ENTER_FROM_TRANSFER / _PRODUCT / _ORDER, OTHER), content (a JSON-serialized string),
 * create_time, is_visible and sender {im_user_id, role: BUYER | SHOP | CUSTOMER_SERVICE | SYSTEM |
 * ROBOT}. It fires for every message in the conversation, ours included. BUYER messages are the
 * buyer's turns. SHOP and CUSTOMER_SERVICE messages were written on the shop's side — by a human
 * in Seller Center (a takeover) or by this app through Send Message: they are returned as seller
 * messages and the adapter tells our own sends apart by message id (bots/tiktok/adapter.ts). The
 * payload does not name the buyer of a shop-sent message, only the conversation. SYSTEM and ROBOT
 * (TikTok's own notices and auto-replies) are ignored. Type 13, "New conversation", only says an
 * agent joined or left.
 */
import { z } from 'zod';
import type { Attachment } from '../channel.js';

export const NEW_CONVERSATION = 13;
export const NEW_MESSAGE = 14;

const envelope = z.object({
  type: z.number({ required_error: 'type is required', invalid_type_error: 'type must be a number' }).int(),
  tts_notification_id: z.string().optional(),
  shop_id: z.union([z.string().min(1), z.number()], { required_error: 'shop_id is required' }).transform(String),
  timestamp: z.number().optional(),
  data: z.record(z.unknown(), { required_error: 'data is required', invalid_type_error: 'data must be an object' }),
});

const newMessage = z.object({
  message_id: z.string().min(1),
  conversation_id: z.string().min(1),
  type: z.string(),
  content: z.string().optional(),
  create_time: z.number().optional(),
  is_visible: z.boolean().optional(),
  index: z.string().optional(),
  sender: z.object({ im_user_id: z.string().min(1), role: z.string() }),
});

export class WebhookShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookShapeError';
  }
}

/** Sender roles whose messages were written on the shop's side. */
export const SHOP_ROLES = new Set(['SHOP', 'CUSTOMER_SERVICE']);

export interface TiktokMessage {
  tiktokShopId: string;
  conversationId: string;
  /** 'buyer': sender.role BUYER; 'seller': SHOP or CUSTOMER_SERVICE (a person in Seller Center, or our own send). */
  author: 'buyer' | 'seller';
  /** The buyer's IM user id (buyer messages; a seller message does not name the buyer). */
  buyerId?: string;
  /** sender.im_user_id: the buyer, or the shop / agent account that wrote it. */
  senderId: string;
  senderRole: string;
  externalId: string;
  text: string;
  attachments: Attachment[];
  /** Order ids of an order, logistics or return card: the conversation is about that order. */
  orderRefs: string[];
  type: string;
  notificationId?: string;
  createTime?: number;
  raw: Record<string, unknown>;
}

export type ParsedNotification =
  { kind: 'message'; message: TiktokMessage } | { kind: 'ignored'; reason: string; type: number; tiktokShopId: string; id?: string };

/** Message types that are not something the buyer wrote (system cards, agent changes, unknown). */
const CONTEXT_ONLY = new Set([
  'ALLOCATED_SERVICE',
  'NOTIFICATION',
  'BUYER_ENTER_FROM_TRANSFER',
  'BUYER_ENTER_FROM_PRODUCT',
  'BUYER_ENTER_FROM_ORDER',
  'OTHER',
]);
/** Cards that point at a shop object: kept as an attachment naming it. */
const CARDS: Record<string, string[]> = {
  PRODUCT_CARD: ['product_id'],
  ORDER_CARD: ['order_id'],
  LOGISTICS_CARD: ['order_id', 'package_id'],
  RETURN_REFUND_CARD: ['order_id', 'sku_id'],
  COUPON_CARD: ['coupon_id'],
};

function parseContent(content: string | undefined): Record<string, unknown> {
  if (!content) return {};
  try {
    const v: unknown = JSON.parse(content);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { content: String(v) };
  } catch {
    return { content };
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

/** Parses a verified notification. Throws WebhookShapeError when it is not a TikTok Shop notification (→ 400). */
export function parseNotification(body: unknown): ParsedNotification {
  const env = envelope.safeParse(body);
  if (!env.success) throw new WebhookShapeError(env.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  const { type, shop_id: tiktokShopId, data } = env.data;
  const ignored = (reason: string, id?: string): ParsedNotification => ({ kind: 'ignored', reason, type, tiktokShopId, id });
  if (type !== NEW_MESSAGE)
    return ignored(type === NEW_CONVERSATION ? 'new conversation (agent joined or left)' : `notification type ${type}`);
  const m = newMessage.safeParse(data);
  if (!m.success)
    throw new WebhookShapeError(`data: ${m.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`);
  const d = m.data;
  const seller = SHOP_ROLES.has(d.sender.role);
  if (d.sender.role !== 'BUYER' && !seller) return ignored(`sent by ${d.sender.role}`, d.message_id);
  if (d.is_visible === false) return ignored('not visible to customer service', d.message_id);
  if (CONTEXT_ONLY.has(d.type)) return ignored(`message type ${d.type}`, d.message_id);

  const c = parseContent(d.content);
  let text = '';
  const attachments: Attachment[] = [];
  const orderRefs: string[] = [];
  if (d.type === 'TEXT') {
    text = str(c.content) ?? '';
    if (!text.trim()) return ignored('empty text', d.message_id);
  } else if (d.type === 'IMAGE') {
    attachments.push({ type: 'image', ...(str(c.url) ? { url: str(c.url) } : {}) });
  } else if (d.type === 'VIDEO') {
    attachments.push({
      type: 'video',
      ...(str(c.url) ? { url: str(c.url) } : {}),
      ...(str(c.format) ? { mimeType: `video/${str(c.format)}` } : {}),
      ...(typeof c.size === 'number' ? { sizeBytes: c.size } : {}),
    });
  } else if (d.type === 'EMOTICONS') {
    attachments.push({ type: 'sticker', ...(str(c.url) ? { url: str(c.url) } : {}) });
  } else if (d.type in CARDS) {
    const ids = CARDS[d.type]!.filter((k) => str(c[k])).map((k) => `${k}=${str(c[k])}`);
    attachments.push({ type: 'other', name: `${d.type.toLowerCase()}${ids.length ? ` ${ids.join(' ')}` : ''}` });
    const orderId = CARDS[d.type]!.includes('order_id') ? str(c.order_id) : undefined;
    if (orderId) orderRefs.push(orderId);
  } else {
    return ignored(`message type ${d.type}`, d.message_id);
  }
  return {
    kind: 'message',
    message: {
      tiktokShopId,
      conversationId: d.conversation_id,
      author: seller ? 'seller' : 'buyer',
      ...(seller ? {} : { buyerId: d.sender.im_user_id }),
      senderId: d.sender.im_user_id,
      senderRole: d.sender.role,
      externalId: d.message_id,
      text,
      attachments,
      orderRefs,
      type: d.type,
      notificationId: env.data.tts_notification_id,
      createTime: d.create_time,
      raw: env.data as unknown as Record<string, unknown>,
    },
  };
}
