import { model, Schema, type InferSchemaType } from 'mongoose';

/** One FAQ entry of a shop's knowledge base (issue 4 adds vectors and the workbook import). */
const faqEntrySchema = new Schema(
  {
    shopId: { type: String, required: true },
    questionId: { type: String, required: true },
    intent: { type: String, required: true },
    question: { type: String, required: true },
    variants: { type: [String], default: [] },
    /** Answers by language code; `en` or the shop's default language at least. */
    answers: { type: Map, of: String, required: true },
    skus: { type: [String], default: [] },
    countries: { type: [String], default: [] },
    /** Unit vectors of [question, ...variants], from `embedModel`. */
    vectors: { type: [[Number]], default: [] },
    embedModel: { type: String, default: null },
    /** The import that wrote this entry (entries of older imports are removed). */
    importId: { type: String, default: null },
    /** 'import' (a workbook) or 'desk' (a missed-questions draft published in the desk, activities/knowledge/kb-add.ts). */
    origin: { type: String, enum: ['import', 'desk'], default: 'import' },
    /**
     * Machine translations of the answer into languages the shop offers that `answers` lacks
     * (activities/knowledge/kb-translate.ts, docs/translation.md): language → the text, the language
     * and sha256 of the seller-written answer it was made from (re-translated when that changes),
     * the provider, and who approved it in the desk. Seller-written `answers` always win.
     */
    machineAnswers: {
      type: Map,
      of: new Schema(
        {
          text: { type: String, required: true },
          sourceLang: { type: String, required: true },
          sourceHash: { type: String, required: true },
          provider: { type: String, required: true },
          translatedAt: { type: Date, required: true },
          reviewedBy: { type: String, default: null },
          reviewedAt: { type: Date, default: null },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { timestamps: true },
);
faqEntrySchema.index({ shopId: 1, questionId: 1 }, { unique: true });

export type FaqEntry = InferSchemaType<typeof faqEntrySchema>;
export const FaqEntryModel = model('FaqEntry', faqEntrySchema);
