import { model, Schema, type InferSchemaType } from 'mongoose';

/** Buyer questions the KB could not answer, for `sora kb missed` (clustered by meaning). */
const unmatchedSchema = new Schema(
  {
    shopId: { type: String, required: true },
    text: { type: String, required: true },
    language: { type: String, default: null },
    /** Unit vector of the text (same model as the KB). */
    vector: { type: [Number], default: [] },
    /** Embedding model of the vector (vectors of different models are not clustered together). */
    embedModel: { type: String, default: null },
    bestQuestionId: { type: String, default: null },
    confidence: { type: Number, default: 0 },
    workflowId: { type: String, default: null },
    /** Synthetic demo data (scripts/demo/demo-month.ts); absent on real data. */
    demo: { type: Boolean, default: undefined },
    /** Answered since: an FAQ entry made from its cluster in the desk (bots/desk/missed.ts) was published. */
    resolvedAt: { type: Date, default: null },
    /** The FAQ entry (questionId) that now answers it. */
    resolvedBy: { type: String, default: null },
  },
  { timestamps: true },
);
unmatchedSchema.index({ shopId: 1, createdAt: -1 });

export type UnmatchedQuestion = InferSchemaType<typeof unmatchedSchema>;
export const UnmatchedQuestionModel = model('UnmatchedQuestion', unmatchedSchema);
