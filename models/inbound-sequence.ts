import { model, Schema, type Types } from 'mongoose';
import { isDuplicateKey } from './errors.js';

/**
 * The sequence numbers of a conversation's buyer messages: one document per number,
 * `_id` = `{workflowId}#{seq}`, naming the message that holds it. The unique `_id` decides who gets a
 * number (never a read-then-write, and not a `$inc` counter: the bundled MongoDB-wire server does not
 * make a concurrent `$inc` atomic); each number is the last one + 1, so they run 1, 2, 3… without gaps.
 * The workflow keeps only the last number it handled (bots/intake.ts; docs/conversation-lifecycle.md,
 * "Exactly once").
 */
const inboundSequenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    workflowId: { type: String, required: true },
    seq: { type: Number, required: true },
    messageId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
inboundSequenceSchema.index({ workflowId: 1, seq: -1 });
inboundSequenceSchema.index({ messageId: 1 });

export const InboundSequenceModel = model('InboundSequence', inboundSequenceSchema);

/**
 * The message's number in its conversation: the one it was given, or the next free one (1 for the
 * first). `fresh`: the caller has just inserted the message (bots/intake.ts, the claim it won), so it
 * cannot have a number yet and the lookup of its own number is skipped (one query less per message).
 */
export async function claimInboundSeq(workflowId: string, messageId: Types.ObjectId, fresh = false): Promise<number> {
  if (!fresh) {
    const mine = await InboundSequenceModel.findOne({ messageId }, { seq: 1 }).lean();
    if (mine) return mine.seq;
  }
  for (;;) {
    const last = await InboundSequenceModel.findOne({ workflowId }, { seq: 1 }).sort({ seq: -1 }).lean();
    const seq = (last?.seq ?? 0) + 1;
    try {
      await InboundSequenceModel.create({ _id: `${workflowId}#${seq}`, workflowId, seq, messageId });
      return seq;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e; // taken meanwhile (another gateway): the next one
    }
  }
}
