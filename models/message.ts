import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * Every message in and out. Inbound: externalId = the platform's message id (dedupe key), recorded
 * by the gateway before it signals. Outbound: externalId = the idempotency key
 * `{workflowId}:{runId}:{seq}`, recorded by the send activity before it calls the adapter.
 * Seller messages (a human answered in the platform's own inbox, bots/intake.ts): direction 'out',
 * author 'seller', status 'sent', externalId = the platform's message id, recorded by the gateway;
 * `signalled` says whether the sellerReply signal was delivered (or there was no conversation).
 */
const messageSchema = new Schema(
  {
    direction: { type: String, enum: ['in', 'out'], required: true },
    channel: { type: String, required: true },
    externalId: { type: String, required: true },
    shopId: { type: String, required: true },
    buyerId: { type: String, required: true },
    /** Inbound on a threaded channel (email): the thread, part of workflowId (InboundMessage.thread). */
    thread: { type: String, default: undefined },
    workflowId: { type: String, required: true },
    text: { type: String, default: '' },
    attachments: { type: [Schema.Types.Mixed], default: [] },
    /** Inbound: order ids the message refers to without words (an order card). */
    orderRefs: { type: [String], default: undefined },
    quickReplies: { type: [String], default: [] },
    language: { type: String, default: null },
    /** Outbound: no text in the buyer's language existed; `language` is the shop's default. */
    languageFallback: { type: Boolean, default: false },
    requestedLanguage: { type: String, default: null },
    /** Outbound: the message asks the buyer something. */
    asksQuestion: { type: Boolean, default: false },
    /** Outbound: where the content came from (faq, tracking, customs, return_policy, order_status, system, coupon, agent). */
    source: { type: String, default: null },
    /** Outbound FAQ answers: the matched entry (FaqEntry.questionId) and the match's confidence (the desk shows both). */
    faqEntryId: { type: String, default: undefined },
    faqQuestion: { type: String, default: undefined },
    confidence: { type: Number, default: undefined },
    /** Agent replies sent translated (desk, docs/translation.md): what the agent typed and its language; `text` is the translation. */
    originalText: { type: String, default: undefined },
    originalLanguage: { type: String, default: undefined },
    translatedBy: { type: String, default: undefined },
    /** Who wrote it. 'seller': typed in the platform's own inbox, not sent by us. */
    author: { type: String, enum: ['buyer', 'bot', 'agent', 'system', 'seller'], required: true },
    agentId: { type: String, default: null },
    receivedAt: { type: Date, default: null },
    /** Inbound and seller messages: delivered to the conversation workflow (false = the relay still has to). */
    signalled: { type: Boolean, default: false },
    signalAttempts: { type: Number, default: 0 },
    /**
     * Buyer messages: the conversation's sequence number (1, 2, 3…, models/inbound-sequence.ts),
     * given once, to the record that won the insert. The workflow handles them in this order and
     * ignores a number it has passed (exactly once, however often a signal is re-sent).
     */
    inSeq: { type: Number, default: null },
    /** Inbound and seller messages: a request (or the relay) is signalling it until then; others leave it alone. */
    signalLeaseUntil: { type: Date, default: null },
    /** Outbound delivery state. */
    status: { type: String, enum: ['received', 'pending', 'sent', 'failed'], required: true },
    platformMessageId: { type: String, default: null },
    /** Outbound sent by the send activity: the worker process that delivered it (`pid@host`, infra/process-identity.ts). */
    deliveredBy: { type: String, default: null },
    error: { type: String, default: null },
    raw: { type: Schema.Types.Mixed, default: null },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
  },
  { timestamps: true },
);
messageSchema.index({ channel: 1, externalId: 1 }, { unique: true });
messageSchema.index({ workflowId: 1, direction: 1, _id: 1 });
messageSchema.index({ direction: 1, signalled: 1 });
messageSchema.index({ author: 1, signalled: 1 });
messageSchema.index({ workflowId: 1, signalled: 1, inSeq: 1 });
/** Echo checks: was this platform message one we sent? */
messageSchema.index({ channel: 1, platformMessageId: 1 });

export type Message = InferSchemaType<typeof messageSchema>;
export const MessageModel = model('Message', messageSchema);
