import { model, Schema, type InferSchemaType } from 'mongoose';

const npsAnswerSchema = new Schema(
  {
    workflowId: { type: String, required: true },
    shopId: { type: String, required: true },
    channel: { type: String, required: true },
    buyerId: { type: String, required: true },
    score: { type: Number, required: true, min: 0, max: 10 },
    text: { type: String, required: true },
    language: { type: String, default: null },
    /** Close time of the conversation the answer is about (one answer per conversation). */
    closedAt: { type: Date, required: true },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
  },
  { timestamps: true },
);
npsAnswerSchema.index({ workflowId: 1, closedAt: 1 }, { unique: true });
npsAnswerSchema.index({ shopId: 1, createdAt: -1 });

export type NpsAnswer = InferSchemaType<typeof npsAnswerSchema>;
export const NpsAnswerModel = model('NpsAnswer', npsAnswerSchema);
