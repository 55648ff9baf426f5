/**
 * What an agent typed before the desk translated it for the buyer (docs/translation.md, "Live
 * translation for agents"): written by the desk before it signals the reply, keyed by the reply's
 * send key (workflows/contract.ts agentReplyKey), and copied onto the message record by the send
 * activity (activities/messaging/send.ts) as `originalText`/`originalLanguage`. Kept 30 days.
 */
import { model, Schema } from 'mongoose';

const replyOriginalSchema = new Schema(
  {
    /** The send key of the reply: `{workflowId}:reply:{ref}`. */
    key: { type: String, required: true },
    shopId: { type: String, required: true },
    originalText: { type: String, required: true },
    originalLanguage: { type: String, required: true },
    language: { type: String, required: true },
    provider: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
replyOriginalSchema.index({ key: 1 }, { unique: true });
replyOriginalSchema.index({ createdAt: 1 }, { expireAfterSeconds: 30 * 86_400 });

export const ReplyOriginalModel = model('ReplyOriginal', replyOriginalSchema);

/** The refs the desk gives translated replies (so the send activity reads originals only for them). */
export const TRANSLATED_REPLY_REF_PREFIX = 'tr-';
