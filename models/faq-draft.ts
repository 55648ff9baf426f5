import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * An FAQ entry in the making (issue 17, missed questions): made in the desk from a cluster of
 * unmatched buyer questions (bots/desk/missed.ts), edited by the seller, then published into the
 * shop's FAQ (activities/knowledge/kb-add.ts). Publishing marks the cluster's questions resolved.
 */
const faqDraftSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** The cluster it was made from (hash of its representative question, see missed-questions.ts). */
    clusterId: { type: String, required: true },
    question: { type: String, required: true },
    variants: { type: [String], default: [] },
    /** Empty until the seller writes it; publishing requires one. */
    answer: { type: String, default: '' },
    /** Suggested from the nearest FAQ entry of the shop's index; the seller may change it. */
    intent: { type: String, default: 'faq' },
    language: { type: String, default: 'en' },
    /** What the index suggested when the draft was made (nearest entry and its confidence). */
    suggestion: {
      type: new Schema({ intent: String, questionId: String, question: String, confidence: Number }, { _id: false }),
      default: null,
    },
    /** The unmatched questions of the cluster (UnmatchedQuestion ids), marked resolved on publish. */
    unmatchedIds: { type: [Schema.Types.ObjectId], default: [] },
    status: { type: String, enum: ['draft', 'published'], default: 'draft' },
    createdBy: { type: String, default: null },
    publishedAt: { type: Date, default: null },
    publishedBy: { type: String, default: null },
    /** The FAQ entry it became (FaqEntry.questionId). */
    questionId: { type: String, default: null },
  },
  { timestamps: true },
);
faqDraftSchema.index({ shopId: 1, updatedAt: -1 });
faqDraftSchema.index({ shopId: 1, clusterId: 1, status: 1 });

export type FaqDraft = InferSchemaType<typeof faqDraftSchema>;
export const FaqDraftModel = model('FaqDraft', faqDraftSchema);
