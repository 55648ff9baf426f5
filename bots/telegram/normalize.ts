/**
 * Telegram Update → InboundMessage. Pure: no I/O, so every rule is testable on the payload shapes
 * of https://core.telegram.org/bots/api#update (examples in test/fixtures/telegram/).
 *
 * What is answered: `message` updates from people, in private chats (and in groups when enabled),
 * with text, or a caption, or a media attachment.
 * What is ignored (and why):
 *   - messages sent by bots (`from.is_bot`, including our own) — bots talking to bots loop;
 *   - messages sent on behalf of a chat (`sender_chat`: anonymous admins, linked channels) — no buyer;
 *   - `channel_post` / `edited_channel_post` — a channel is a broadcast, not a buyer;
 *   - `edited_message` — the original was already answered; answering the edit again would confuse;
 *   - every other update type (callback queries, reactions, member changes…) — sora sends no inline buttons;
 *   - group messages unless SORA_TELEGRAM_GROUP_CHATS allows them;
 *   - service messages with neither text nor attachment (pins, joins…).
 */
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { z } from 'zod';
import type { Attachment, InboundMessage } from '../channel.js';

export type GroupChats = 'ignore' | 'mentions' | 'all';

/** What send() needs to answer this buyer (stored on the buyer as InboundMessage.replyTo). */
export interface TelegramReplyTo extends Record<string, unknown> {
  chatId: number;
  /** Forum topic the buyer wrote in (supergroups with topics). */
  messageThreadId?: number;
  /** In groups: the buyer's message, so the answer is a reply to it (and a reply keyboard is selective). */
  replyToMessageId?: number;
}

export type Normalized = { kind: 'message'; message: InboundMessage } | { kind: 'ignore'; reason: string };

const ignore = (reason: string): Normalized => ({ kind: 'ignore', reason });

const int = z.number().int();
const str = z.string();
const fileShape = z.object({ mime_type: str.optional(), file_size: z.number().optional(), file_name: str.optional() });
const point = z.object({ latitude: z.number(), longitude: z.number() });
/** The fields of a `message` that normalizeUpdate reads, with their Bot API types (other fields pass through). */
const messageShape = z.object({
  message_id: int,
  date: int,
  chat: z.object({ id: int, type: str }),
  from: z.object({ id: int, is_bot: z.boolean() }).optional(),
  sender_chat: z.object({}).passthrough().optional(),
  text: str.optional(),
  caption: str.optional(),
  is_topic_message: z.boolean().optional(),
  message_thread_id: int.optional(),
  entities: z.array(z.object({ type: str, offset: int, length: int })).optional(),
  caption_entities: z.array(z.object({ type: str, offset: int, length: int })).optional(),
  reply_to_message: z.object({ from: z.object({ id: int }).optional() }).optional(),
  photo: z.array(z.object({ width: z.number(), height: z.number(), file_size: z.number().optional() })).optional(),
  animation: fileShape.optional(),
  document: fileShape.optional(),
  video: fileShape.optional(),
  audio: fileShape.optional(),
  voice: fileShape.optional(),
  video_note: z.object({ file_size: z.number().optional() }).optional(),
  sticker: z.object({ file_size: z.number().optional(), emoji: str.optional() }).optional(),
  location: point.optional(),
  venue: z.object({ title: str, address: str, location: point }).optional(),
  contact: z.object({ first_name: str, phone_number: str.optional() }).optional(),
});

/**
 * What is wrong with a webhook body's `message`, if anything: a field normalizeUpdate reads that is
 * missing or not of its Bot API type (→ 400 naming it). Other update kinds are ignored whole, unchecked.
 */
export function messageShapeProblem(u: { message?: unknown }): string | undefined {
  if (u.message === undefined) return undefined;
  const r = messageShape.safeParse(u.message);
  if (r.success) return undefined;
  return r.error.issues.map((i) => `message.${i.path.join('.')}: ${i.message}`).join('; ');
}

export function updateKind(u: Update): string {
  return Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';
}

export function normalizeUpdate(u: Update, opts: { shopId: string; me: UserFromGetMe; groupChats: GroupChats }): Normalized {
  const m = u.message;
  if (!m) {
    const kind = updateKind(u);
    if (kind === 'edited_message') return ignore('edited message (the original was answered)');
    if (kind === 'channel_post' || kind === 'edited_channel_post') return ignore('channel post (not a buyer)');
    return ignore(`${kind} update (not handled)`);
  }
  if (!m.from) return ignore('message without a sender');
  if (m.from.is_bot) return ignore(m.from.id === opts.me.id ? 'our own message' : 'message from a bot');
  if (m.sender_chat) return ignore('message sent on behalf of a chat');

  const isPrivate = m.chat.type === 'private';
  if (!isPrivate) {
    if (opts.groupChats === 'ignore') return ignore('group chat (SORA_TELEGRAM_GROUP_CHATS=ignore)');
    if (opts.groupChats === 'mentions' && !addressesBot(m, opts.me)) return ignore('group message not addressed to the bot');
  }

  let text = (m.text ?? m.caption ?? '').trim();
  if (!isPrivate && opts.me.username) text = text.replace(new RegExp(`@${opts.me.username}\\b`, 'gi'), '').trim();
  const attachments = attachmentsOf(m);
  if (!text && attachments.length === 0) return ignore('service message without text or attachment');

  const replyTo: TelegramReplyTo = { chatId: m.chat.id };
  if (m.is_topic_message && m.message_thread_id !== undefined) replyTo.messageThreadId = m.message_thread_id;
  if (!isPrivate) replyTo.replyToMessageId = m.message_id;

  return {
    kind: 'message',
    message: {
      channel: 'telegram',
      shopId: opts.shopId,
      // In a private chat the chat is the buyer; in a group one buyer is one person in that group.
      buyerId: isPrivate ? String(m.from.id) : `${m.chat.id}:${m.from.id}`,
      // message_id is unique within a chat and identical on redelivery (update_id is too, but it is
      // per bot and restarts after long idle periods, see getUpdates).
      externalId: `${m.chat.id}:${m.message_id}`,
      text,
      attachments: attachments.length ? attachments : undefined,
      receivedAt: new Date().toISOString(),
      raw: u,
      replyTo,
    },
  };
}

/** In "mentions" mode a group message counts when it @mentions the bot or replies to one of its messages. */
function addressesBot(m: Message, me: UserFromGetMe): boolean {
  if (m.reply_to_message?.from?.id === me.id) return true;
  const body = m.text ?? m.caption ?? '';
  const entities = m.entities ?? m.caption_entities ?? [];
  return entities.some((e) => {
    if (e.type === 'text_mention') return e.user.id === me.id;
    if (e.type === 'mention') return body.slice(e.offset, e.offset + e.length).toLowerCase() === `@${me.username}`.toLowerCase();
    if (e.type === 'bot_command')
      return body
        .slice(e.offset, e.offset + e.length)
        .toLowerCase()
        .endsWith(`@${me.username}`.toLowerCase());
    return false;
  });
}

/**
 * Media of the message as attachments (type, MIME type, size, file name). Telegram gives no public
 * URL: a file is fetched with getFile and the bot token, which must not end up in the database,
 * so `url` stays empty and the file_id is in `raw`.
 */
export function attachmentsOf(m: Message): Attachment[] {
  const out: Attachment[] = [];
  if (m.photo?.length) {
    const largest = m.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    out.push({ type: 'image', mimeType: 'image/jpeg', sizeBytes: largest.file_size });
  }
  if (m.animation) out.push(file('video', m.animation));
  else if (m.document) out.push(file(m.document.mime_type?.startsWith('image/') ? 'image' : 'document', m.document));
  if (m.video) out.push(file('video', m.video));
  if (m.video_note) out.push({ type: 'video', mimeType: 'video/mp4', sizeBytes: m.video_note.file_size });
  if (m.audio) out.push(file('audio', m.audio));
  if (m.voice) out.push(file('audio', m.voice));
  if (m.sticker) out.push({ type: 'sticker', sizeBytes: m.sticker.file_size, name: m.sticker.emoji });
  if (m.location && !m.venue) out.push({ type: 'location', name: `${m.location.latitude},${m.location.longitude}` });
  if (m.venue)
    out.push({
      type: 'location',
      name: `${m.venue.title}, ${m.venue.address} (${m.venue.location.latitude},${m.venue.location.longitude})`,
    });
  if (m.contact)
    out.push({ type: 'other', name: `contact ${m.contact.first_name}${m.contact.phone_number ? ` ${m.contact.phone_number}` : ''}` });
  return out;
}

function file(type: Attachment['type'], f: { mime_type?: string; file_size?: number; file_name?: string }): Attachment {
  const a: Attachment = { type };
  if (f.mime_type) a.mimeType = f.mime_type;
  if (f.file_size !== undefined) a.sizeBytes = f.file_size;
  if (f.file_name) a.name = f.file_name;
  return a;
}
