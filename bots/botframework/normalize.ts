/**
 * Bot Framework Activity → InboundMessage. Pure: no I/O (payload shapes of the Bot Framework
 * Activity schema, https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md;
 * examples in test/fixtures/botframework/).
 *
 * Answered: `message` activities with text or attachments, in personal conversations (and group
 * conversations — Teams channels and group chats — when SORA_BOTFRAMEWORK_GROUP_CHATS=all).
 * Ignored: every other activity type (conversationUpdate, typing, messageReaction, invoke, event…),
 * messages with neither text nor a file (e.g. Adaptive Card submits), and messages from bots.
 */
import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Attachment, InboundMessage } from '../channel.js';

export type BotFrameworkGroupChats = 'ignore' | 'all';

/** The ConversationReference of the buyer's latest message (TurnContext.getConversationReference). */
export type BotFrameworkReplyTo = Partial<ConversationReference> & Record<string, unknown>;

export type Normalized = { kind: 'message'; message: InboundMessage } | { kind: 'ignore'; reason: string };

const ignore = (reason: string): Normalized => ({ kind: 'ignore', reason });

/**
 * Ids: a bot serves many channels (Web Chat/Direct Line, Teams, Slack…) whose user ids are only
 * unique within the channel — and a Direct Line client picks its own user id — so the buyer is
 * `channelId:from.id` (a Direct Line user cannot take over a Teams user's conversation), and the
 * message is `channelId:conversation.id:activity.id` (activity ids are unique per conversation,
 * and identical when the channel redelivers).
 */
export function normalizeActivity(a: Activity, opts: { shopId: string; groupChats: BotFrameworkGroupChats }): Normalized {
  if (a.type !== 'message') return ignore(`${a.type} activity (not handled)`);
  if (a.from?.role === 'bot') return ignore('message from a bot');
  const isGroup = a.conversation?.isGroup === true;
  if (isGroup && opts.groupChats === 'ignore') return ignore('group conversation (SORA_BOTFRAMEWORK_GROUP_CHATS=ignore)');

  // Teams puts "<at>Bot</at>" in the text of group messages that mention the bot.
  const text = (a.entities?.some((e) => e.type === 'mention') ? TurnContext.removeRecipientMention(a) : (a.text ?? '')).trim();
  const attachments = attachmentsOf(a);
  if (!text && attachments.length === 0) return ignore('message without text or file (card submit?)');

  const buyer = `${a.channelId}:${a.from.id}`;
  return {
    kind: 'message',
    message: {
      channel: 'botframework',
      shopId: opts.shopId,
      buyerId: isGroup ? `${a.channelId}:${a.conversation.id}:${a.from.id}` : buyer,
      externalId: `${a.channelId}:${a.conversation.id}:${a.id}`,
      text,
      attachments: attachments.length ? attachments : undefined,
      receivedAt: new Date().toISOString(),
      raw: a,
      replyTo: JSON.parse(JSON.stringify(TurnContext.getConversationReference(a))) as BotFrameworkReplyTo,
    },
  };
}

/** Files the buyer sent. Cards and Teams' HTML copy of the text are not files and are skipped. */
export function attachmentsOf(a: Activity): Attachment[] {
  const out: Attachment[] = [];
  for (const att of a.attachments ?? []) {
    const ct = (att.contentType ?? '').toLowerCase();
    if (
      ct.startsWith('application/vnd.microsoft.card.') ||
      ct === 'text/html' ||
      ct === 'application/vnd.microsoft.teams.card.o365connector'
    )
      continue;
    const at: Attachment = { type: 'other' };
    if (ct === 'application/vnd.microsoft.teams.file.download.info') {
      // Teams file: content.downloadUrl is a short-lived pre-authenticated link; not kept.
      const fileType = (att.content as { fileType?: string } | undefined)?.fileType;
      at.type = fileType && /^(png|jpe?g|gif|bmp|webp|heic)$/i.test(fileType) ? 'image' : 'document';
    } else {
      at.type = ct.startsWith('image/') ? 'image' : ct.startsWith('video/') ? 'video' : ct.startsWith('audio/') ? 'audio' : 'document';
      at.mimeType = att.contentType;
      if (att.contentUrl && /^https?:\/\//i.test(att.contentUrl)) at.url = att.contentUrl;
    }
    if (att.name) at.name = att.name;
    out.push(at);
  }
  return out;
}
