/**
 * A Baileys `messages.upsert` message → an InboundMessage, or the reason it is not one.
 *
 * - text: `conversation`, `extendedTextMessage.text`, media captions, button/list replies;
 * - media become attachments with type, mimetype and size (`fileLength`); nothing is downloaded;
 * - a reply keeps the quoted message's id and text in `raw.quoted` (the buyer's own words stay the
 *   text the bot understands);
 * - own messages (`key.fromMe`: typed on the shop's phone or WhatsApp Business app, or sent by this
 *   gateway) in a 1:1 chat become seller messages (`author: 'seller'`) for that chat's buyer; the
 *   session tells our own sends apart (bots/whatsapp/session.ts). Own messages in groups and in the
 *   chat with ourselves are ignored;
 * - ignored: status broadcasts and other broadcasts, newsletters, groups (unless allowed),
 *   protocol messages (revoke, edit, ephemeral settings…), reactions, poll votes, stubs (e.g. a
 *   message that could not be decrypted), and `append` upserts older than the catch-up window.
 *
 * Wrappers (ephemeral, view-once, document-with-caption, edited) are unwrapped with Baileys'
 * normalizeMessageContent.
 */
import {
  getContentType,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type MessageUpsertType,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { Attachment, InboundMessage } from '../channel.js';

export interface NormalizeOptions {
  shopId: string;
  allowGroups: boolean;
  upsertType: MessageUpsertType;
  /** `append` upserts (messages that arrived while the gateway was offline) younger than this are taken. */
  catchUpWindowMs: number;
  now?: Date;
  /** The linked account's own JIDs (phone number and LID): own messages in the chat with ourselves are ignored. */
  selfJids?: (string | null | undefined)[];
}

/** Where to answer: the chat the message came from (and its phone-number form when WhatsApp gave one). */
export interface WhatsappReplyTo extends Record<string, unknown> {
  jid: string;
  altJid?: string;
}

export type Normalized =
  { ok: true; message: InboundMessage & { replyTo: WhatsappReplyTo } } | { ok: false; reason: string; externalId: string | null };

type LongLike = number | string | { toNumber(): number } | { low: number; high: number } | null | undefined;

/** protobuf int64 (Long object, number or decimal string) → number. */
export function toNumber(v: LongLike): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
  if ('toNumber' in v) return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}

export function normalizeWhatsappMessage(msg: WAMessage, o: NormalizeOptions): Normalized {
  const key = msg.key;
  const externalId = key?.id ?? null;
  const skip = (reason: string): Normalized => ({ ok: false, reason, externalId });
  if (!key?.id || !key.remoteJid) return skip('no_key');
  const chat = key.remoteJid;
  const own = !!key.fromMe;
  if (isJidStatusBroadcast(chat)) return skip('status_broadcast');
  if (isJidBroadcast(chat)) return skip('broadcast');
  if (isJidNewsletter(chat)) return skip('newsletter');
  const group = !!isJidGroup(chat);
  if (group && !o.allowGroups) return skip('group');
  if (own && group) return skip('own_message_in_group');
  const self = new Set((o.selfJids ?? []).filter((j): j is string => !!j).map((j) => jidNormalizedUser(j)));
  if (own && self.has(jidNormalizedUser(chat))) return skip('self_chat');

  const now = o.now ?? new Date();
  if (o.upsertType !== 'notify') {
    const sentAt = toNumber(msg.messageTimestamp as LongLike);
    if (!sentAt || now.getTime() - sentAt * 1000 > o.catchUpWindowMs) return skip('not_new');
  }

  const content = normalizeMessageContent(msg.message);
  if (!content) {
    const stub = msg.messageStubType ? proto.WebMessageInfo.StubType[msg.messageStubType] : undefined;
    return skip(stub ? `stub:${stub}` : 'no_content');
  }
  if (content.protocolMessage) return skip('protocol');
  if (content.reactionMessage || content.encReactionMessage) return skip('reaction');
  if (content.pollUpdateMessage) return skip('poll_vote');

  const texts: string[] = [];
  const attachments: Attachment[] = [];
  const media = (type: Attachment['type'], m: { mimetype?: string | null; fileLength?: LongLike; fileName?: string | null }) => {
    const a: Attachment = { type };
    if (m.mimetype) a.mimeType = m.mimetype;
    const size = toNumber(m.fileLength);
    if (size !== undefined) a.sizeBytes = size;
    if (m.fileName) a.name = m.fileName;
    attachments.push(a);
  };

  if (content.conversation) texts.push(content.conversation);
  if (content.extendedTextMessage?.text) texts.push(content.extendedTextMessage.text);
  if (content.imageMessage) {
    media('image', content.imageMessage);
    if (content.imageMessage.caption) texts.push(content.imageMessage.caption);
  }
  if (content.videoMessage) {
    media('video', content.videoMessage);
    if (content.videoMessage.caption) texts.push(content.videoMessage.caption);
  }
  if (content.audioMessage) media('audio', content.audioMessage);
  if (content.documentMessage) {
    media('document', content.documentMessage);
    if (content.documentMessage.caption) texts.push(content.documentMessage.caption);
  }
  if (content.stickerMessage) media('sticker', content.stickerMessage);
  const loc = content.locationMessage ?? content.liveLocationMessage;
  if (loc) {
    const lat = loc.degreesLatitude;
    const lng = loc.degreesLongitude;
    const place = 'name' in loc ? [loc.name, loc.address].filter(Boolean).join(', ') : '';
    attachments.push({
      type: 'location',
      ...(lat != null && lng != null ? { url: `geo:${lat},${lng}` } : {}),
      ...(place ? { name: place } : {}),
    });
    if ('caption' in loc && loc.caption) texts.push(loc.caption);
  }
  if (content.contactMessage)
    attachments.push({ type: 'other', mimeType: 'text/vcard', name: content.contactMessage.displayName ?? undefined });
  for (const c of content.contactsArrayMessage?.contacts ?? [])
    attachments.push({ type: 'other', mimeType: 'text/vcard', name: c.displayName ?? undefined });
  // Replies to (legacy) buttons and lists, in case the buyer's client still sends them.
  const choice =
    content.buttonsResponseMessage?.selectedDisplayText ??
    content.templateButtonReplyMessage?.selectedDisplayText ??
    content.listResponseMessage?.title ??
    content.interactiveResponseMessage?.body?.text;
  if (choice) texts.push(choice);

  const text = texts.join('\n').trim();
  if (!text && attachments.length === 0) return skip(`unsupported:${getContentType(content) ?? 'empty'}`);

  // A stable buyer id: the phone-number JID when WhatsApp tells it (LID-addressed chats carry it
  // in remoteJidAlt), without device suffix. In an allowed group, the group is the "buyer".
  // For an own message remoteJidAlt is the *sender's* other address (ours: Baileys fills it from the
  // stanza's sender_pn / sender_lid), so it is not used: the chat itself names the buyer, and the
  // session maps a LID chat to its buyer through the stored reply address.
  const alt = own ? undefined : (key.remoteJidAlt ?? undefined);
  const buyerJid = group ? chat : isPnUser(chat) ? chat : alt && isPnUser(alt) ? alt : chat;
  const buyerId = jidNormalizedUser(buyerJid) || buyerJid;

  const type = getContentType(content);
  const ctx = type ? (content[type] as { contextInfo?: proto.IContextInfo | null } | null)?.contextInfo : undefined;
  const quoted = ctx?.quotedMessage
    ? { id: ctx.stanzaId ?? null, participant: ctx.participant ?? null, text: quotedText(ctx.quotedMessage) }
    : undefined;

  return {
    ok: true,
    message: {
      channel: 'whatsapp',
      shopId: o.shopId,
      buyerId,
      externalId: key.id,
      text,
      ...(attachments.length ? { attachments } : {}),
      receivedAt: now.toISOString(),
      ...(own ? { author: 'seller' as const } : {}),
      raw: {
        upsertType: o.upsertType,
        pushName: msg.pushName ?? null,
        ...(group ? { participant: key.participant ?? null } : {}),
        ...(quoted ? { quoted } : {}),
        message: auditCopy(msg),
      },
      replyTo: { jid: chat, ...(alt ? { altJid: alt } : {}) },
    },
  };
}

function quotedText(m: proto.IMessage): string | null {
  const c = normalizeMessageContent(m);
  return (
    c?.conversation ??
    c?.extendedTextMessage?.text ??
    c?.imageMessage?.caption ??
    c?.videoMessage?.caption ??
    c?.documentMessage?.caption ??
    null
  );
}

/** Fields that are secrets (media keys decrypt the media) or bulky binary (thumbnails, hashes). */
const OMIT = /mediaKey|thumbnail|sha256|sidecar|messageSecret|waveform|callKey/i;

/**
 * The message as JSON for the audit record: binary fields dropped (as `<omitted>`), int64 values
 * as numbers. Protobuf instances serialize through their own toJSON (bytes → base64 strings,
 * int64 → decimal strings), so the rule goes by field name as well as by value type.
 */
export function auditCopy(msg: WAMessage): unknown {
  return JSON.parse(
    JSON.stringify(msg, (k, v: unknown) => {
      if (k && OMIT.test(k) && v !== null && v !== undefined) return '<omitted>';
      if (v instanceof Uint8Array) return `<${v.length} bytes>`;
      if (v && typeof v === 'object') {
        const o = v as { type?: unknown; data?: unknown; low?: unknown; high?: unknown; unsigned?: unknown };
        if (o.type === 'Buffer' && Array.isArray(o.data)) return `<${o.data.length} bytes>`;
        if (typeof o.low === 'number' && typeof o.high === 'number' && 'unsigned' in o) return toNumber(o as LongLike);
      }
      return v;
    }),
  );
}
