/**
 * One conversation per mail thread (issue 19). A mail's thread is found by any Message-ID it names
 * (its References, else its In-Reply-To) among those already seen in one of the buyer's threads —
 * theirs and our replies' — so a client that sends only In-Reply-To our reply still lands in the
 * right thread. A mail naming none starts a thread, keyed by its first reference (or its own id).
 * The key becomes InboundMessage.thread, so the conversation is `conv:{shop}:email:{address}:{key}`:
 * the buyer is still the address (their orders, data rights, the Shopify email lookup).
 */
import { createHash } from 'node:crypto';
import { EmailThreadModel } from '../../models/email-mailbox.js';
import { isDuplicateKey } from '../../models/errors.js';
import { conversationWorkflowId } from '../channel.js';
import { MessageModel } from '../../models/message.js';
import { EMAIL, mailKey, type EmailReplyTo } from './inbound.js';

/** The thread key of a thread whose first Message-ID is `root`. */
export const threadKeyOf = (root: string): string => `t${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;

/**
 * True when the mail answers a conversation from before threads existed (one per address,
 * `conv:{shop}:email:{address}`): a Message-ID it names was recorded in that conversation, the
 * buyer's mail (externalId) or our reply (platformMessageId). It continues there, not in a new one.
 */
async function answersLegacyConversation(shopId: string, buyerId: string, ids: string[]): Promise<boolean> {
  const legacy = conversationWorkflowId({ shopId, channel: EMAIL, buyerId });
  const hit = await MessageModel.findOne(
    {
      channel: EMAIL,
      $or: [{ externalId: { $in: ids.map((id) => mailKey(shopId, id)) } }, { platformMessageId: { $in: ids } }],
    },
    { workflowId: 1 },
  ).lean();
  return hit?.workflowId === legacy;
}

/**
 * The thread of a buyer's mail, recorded with this mail (its ids; its reply address when it is
 * the thread's latest mail), or null for a mail answering a conversation from before threads (it
 * goes on there, answered at the buyer's reply address as then). Idempotent: reading the mail
 * again gives the same thread.
 */
export async function threadOfMail(m: {
  shopId: string;
  buyerId: string;
  externalId: string;
  receivedAt: string;
  replyTo: EmailReplyTo;
}): Promise<string | null> {
  const ids = m.replyTo.references;
  const known = await EmailThreadModel.findOne({ shopId: m.shopId, buyerId: m.buyerId, messageIds: { $in: ids } }, { thread: 1 })
    .sort({ updatedAt: -1 })
    .lean();
  // Its own id excluded: a mail read again after it was recorded is not an answer to itself.
  const earlier = ids.filter((id) => mailKey(m.shopId, id) !== m.externalId);
  if (!known && earlier.length && (await answersLegacyConversation(m.shopId, m.buyerId, earlier))) return null;
  const thread = known?.thread ?? threadKeyOf(m.replyTo.threadRoot);
  const key = { shopId: m.shopId, buyerId: m.buyerId, thread };
  const at = new Date(m.receivedAt);
  const record = () =>
    EmailThreadModel.updateOne(
      key,
      {
        $setOnInsert: { workflowId: conversationWorkflowId({ ...key, channel: EMAIL }) },
        $addToSet: { messageIds: { $each: ids } },
      },
      { upsert: true },
    );
  // Two gateways reading the same mailbox may insert the same thread at once: the loser updates.
  await record().catch((e: unknown) => {
    if (!isDuplicateKey(e)) throw e;
    return record();
  });
  await EmailThreadModel.updateOne(
    { ...key, $or: [{ lastMailAt: null }, { lastMailAt: { $lte: at } }] },
    { $set: { replyTo: m.replyTo, lastMailAt: at } },
  );
  return thread;
}

/** Where answers in this conversation go: its thread's latest buyer mail; null for a conversation without a thread. */
export async function threadReplyTo(workflowId: string): Promise<EmailReplyTo | null> {
  const t = await EmailThreadModel.findOne({ workflowId }, { replyTo: 1 }).lean();
  return (t?.replyTo as EmailReplyTo | null | undefined) ?? null;
}

/** Our reply's Message-ID joins its thread, so a buyer answering only to it is found. */
export async function noteSentInThread(workflowId: string, messageId: string): Promise<void> {
  await EmailThreadModel.updateOne({ workflowId }, { $addToSet: { messageIds: messageId } });
}
