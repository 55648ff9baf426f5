import { model, Schema } from 'mongoose';

/**
 * One counter per conversation (`_id` = workflow id): the last sequence number given to a buyer
 * message of it. The intake takes the next one (`$inc`, atomic) for each message it records for
 * the first time, so a conversation's buyer messages are numbered 1, 2, 3… in the order they were
 * recorded; the workflow keeps only the last number it handled (bots/intake.ts, docs/conversation-lifecycle.md, "Exactly once").
 */
const inboundSequenceSchema = new Schema(
  { _id: { type: String, required: true }, seq: { type: Number, default: 0 } },
  { versionKey: false },
);

export const InboundSequenceModel = model('InboundSequence', inboundSequenceSchema);

/** The next sequence number of a conversation's buyer messages (1 for the first). */
export async function nextInboundSeq(workflowId: string): Promise<number> {
  const doc = await InboundSequenceModel.findOneAndUpdate(
    { _id: workflowId },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  return doc!.seq;
}
