import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * The email channel's own records (bots/email/):
 *  - `email_mailbox_cursors`: per IMAP mailbox, its UIDVALIDITY and the last UID handled, so a
 *    restart reads only what came since (a changed UIDVALIDITY: the unseen messages again);
 *  - `email_skipped`: mails recognised as auto-replies, bounces, list mail or our own, recorded with
 *    the reason and never answered (no conversation is started);
 *  - `email_attachments`: the content of buyers' attachments (the message records their metadata
 *    and an `email-attachment:<id>` url).
 */
const cursorSchema = new Schema(
  {
    /** `shopId:user@host/mailbox`. */
    _id: { type: String, required: true },
    uidValidity: { type: String, required: true },
    lastUid: { type: Number, required: true },
  },
  { timestamps: true, collection: 'email_mailbox_cursors' },
);
export const EmailCursorModel = model('EmailCursor', cursorSchema);

export async function readCursor(id: string): Promise<{ uidValidity: string; lastUid: number } | null> {
  const c = await EmailCursorModel.findById(id, { uidValidity: 1, lastUid: 1 }).lean();
  return c ? { uidValidity: c.uidValidity, lastUid: c.lastUid } : null;
}

/** Move the cursor forward (never back: two gateways reading the same mailbox only ever advance it). */
export async function advanceCursor(id: string, uidValidity: string, lastUid: number): Promise<void> {
  await EmailCursorModel.updateOne({ _id: id, uidValidity, lastUid: { $lt: lastUid } }, { $set: { lastUid } });
}

/** A fresh cursor (first start, or the server changed UIDVALIDITY). */
export async function resetCursor(id: string, uidValidity: string, lastUid: number): Promise<void> {
  await EmailCursorModel.updateOne({ _id: id }, { $set: { uidValidity, lastUid } }, { upsert: true });
}

const skippedSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** `shopId:Message-ID`, unique: a re-read records nothing twice. */
    key: { type: String, required: true },
    from: { type: String, default: null },
    subject: { type: String, default: null },
    /** auto_reply, bounce, list, own_address, no_sender. */
    reason: { type: String, required: true },
    /** Which header or part decided it, e.g. `Auto-Submitted: auto-replied`. */
    detail: { type: String, default: null },
    receivedAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'email_skipped' },
);
skippedSchema.index({ key: 1 }, { unique: true });
export type EmailSkipped = InferSchemaType<typeof skippedSchema>;
export const EmailSkippedModel = model('EmailSkipped', skippedSchema);

const attachmentSchema = new Schema(
  {
    shopId: { type: String, required: true },
    buyerId: { type: String, required: true },
    /** The message's externalId (`shopId:Message-ID`). */
    messageKey: { type: String, required: true },
    /** Position in the mail (0, 1, …): with messageKey, unique. */
    index: { type: Number, required: true },
    name: { type: String, default: null },
    mimeType: { type: String, required: true },
    sizeBytes: { type: Number, required: true },
    content: { type: Buffer, required: true },
  },
  { timestamps: true, collection: 'email_attachments' },
);
attachmentSchema.index({ messageKey: 1, index: 1 }, { unique: true });
attachmentSchema.index({ shopId: 1, buyerId: 1 });
export const EmailAttachmentModel = model('EmailAttachment', attachmentSchema);

/**
 * `email_threads`: one per buyer and mail thread, the conversation it is (bots/email/threads.ts).
 * `messageIds` holds every Message-ID seen in the thread, the buyer's and ours, so a reply that
 * names any of them (References or only In-Reply-To) finds its thread; `replyTo` is where our
 * answers in this thread go (the buyer's latest mail in it).
 */
const threadSchema = new Schema(
  {
    shopId: { type: String, required: true },
    buyerId: { type: String, required: true },
    /** The thread key (InboundMessage.thread): `t` + 12 hex digits of the SHA-256 of the thread's first Message-ID. */
    thread: { type: String, required: true },
    workflowId: { type: String, required: true },
    messageIds: { type: [String], default: [] },
    replyTo: { type: Schema.Types.Mixed, default: null },
    /** Date of the mail replyTo comes from: an older mail read again never moves it back. */
    lastMailAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'email_threads' },
);
threadSchema.index({ shopId: 1, buyerId: 1, thread: 1 }, { unique: true });
threadSchema.index({ shopId: 1, buyerId: 1, messageIds: 1 });
threadSchema.index({ workflowId: 1 });
export const EmailThreadModel = model('EmailThread', threadSchema);
