/**
 * The channel contract's data (see ../shared/DESIGN.md §3): what an adapter turns platform events
 * into (InboundMessage), what it sends (OutboundMessage), whom to (ConversationRef), how a refusal
 * is reported (ChannelSendError), and the registry interface through which activities reach the
 * adapters. Pure types and one error class: workflows, activities and bots all import it, it
 * imports nothing. The adapter side (ChannelAdapter, GatewayContext) is in bots/channel.ts, which
 * re-exports everything here.
 */
export type ChannelId = 'whatsapp' | 'tiktok' | 'telegram' | 'botframework' | 'webchat' | (string & {});

export interface Attachment {
  type: 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'other';
  url?: string;
  mimeType?: string;
  sizeBytes?: number;
  name?: string;
}

export interface InboundMessage {
  channel: ChannelId;
  shopId: string;
  /** Platform user id, stable per buyer: the buyer the conversation is with, also for a seller's message. */
  buyerId: string;
  /**
   * Who wrote it. Absent = 'buyer'. 'seller': a human typed it in the platform's own inbox (TikTok
   * Seller Center, the phone linked to Baileys, the WhatsApp Business app): the intake records it
   * and delivers it as the `sellerReply` signal, never as a buyer turn (see bots/intake.ts).
   */
  author?: 'buyer' | 'seller';
  /** Seller messages: who typed it, when the platform says (TikTok sender id, …). */
  agentId?: string;
  /**
   * One of several conversations the buyer keeps apart on this channel (email: the mail thread, a
   * key bots/email/threads.ts derives from the thread's first Message-ID). Part of the workflow id;
   * the buyer (their orders, data rights, reply address fallback) is still `buyerId`. Absent: one
   * conversation per buyer and channel.
   */
  thread?: string;
  /** Platform message id: the dedupe key. */
  externalId: string;
  /** Normalized text (captions included). */
  text: string;
  attachments?: Attachment[];
  /** Order ids the message refers to without words (a TikTok order card): the conversation's order. */
  orderRefs?: string[];
  /** ISO time at intake. */
  receivedAt: string;
  /** Kept for audit, never trusted. */
  raw?: unknown;
  /**
   * What the adapter needs later to answer this buyer (TikTok conversation id, Bot Framework
   * conversation reference, WhatsApp JID…). Intake stores it on the buyer; send() reads it back
   * with replyAddress() from bots/contacts.ts. Kept out of workflow history.
   */
  replyTo?: Record<string, unknown>;
}

export interface OutboundMessage {
  text: string;
  quickReplies?: string[];
  attachments?: Attachment[];
  /**
   * The send activity's idempotency key of this message (`{workflowId}:{runId}:{seq}`), the same on
   * every retry. Platforms with an idempotent send (LINE's X-Line-Retry-Key) derive theirs from it.
   */
  idempotencyKey?: string;
}

export interface ConversationRef {
  channel: ChannelId;
  shopId: string;
  buyerId: string;
  workflowId: string;
}

/**
 * What activities see of the channel registry (bots/registry.ts implements it): `send` routed by
 * ConversationRef.channel. Activities reach adapters only through this.
 */
export interface ChannelRegistry {
  send(to: ConversationRef, msg: OutboundMessage): Promise<{ externalId: string }>;
  /**
   * True when the channel delivers from the recorded message itself (web chat: its reply stream
   * reads MongoDB, send() only wakes it), so recording it is delivering it. Absent: false.
   */
  deliversFromRecord?(channel: ChannelId): boolean;
}

/**
 * `conv:{shopId}:{channel}:{buyerId}` — one live conversation per buyer per channel; with a thread
 * (email), `conv:{shopId}:{channel}:{buyerId}:{thread}` — one per thread.
 */
export function conversationWorkflowId(m: Pick<InboundMessage, 'shopId' | 'channel' | 'buyerId' | 'thread'>): string {
  return `conv:${m.shopId}:${m.channel}:${m.buyerId}${m.thread ? `:${m.thread}` : ''}`;
}

/**
 * What an adapter's send() throws when the platform refuses. The send activity maps it onto
 * Temporal's retry: `retryable: false` fails the activity at once (bad recipient, blocked bot…);
 * otherwise Temporal retries, after `retryAfterMs` when the platform said so (rate limits).
 * Any other error thrown by send() is retried with the activity's normal backoff.
 */
export class ChannelSendError extends Error {
  constructor(
    readonly channel: ChannelId,
    /** Platform error code or HTTP status, for logs and the message record. */
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`${channel} send failed (${code}): ${message}`);
    this.name = 'ChannelSendError';
  }
}
