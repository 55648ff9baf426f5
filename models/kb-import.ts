import { model, Schema, type InferSchemaType } from 'mongoose';

/**
 * One FAQ workbook import (`kbImport` workflow, activities/knowledge/kb-import.ts): its status and
 * progress, shown by GET /operator/shops/:shopId/kb/imports/:id and `sora kb import`.
 */
const kbImportSchema = new Schema(
  {
    importId: { type: String, required: true },
    shopId: { type: String, required: true },
    fileName: { type: String, default: null },
    /** queued → embedding → publishing → done; or failed / cancelled (the KB is then unchanged). */
    status: { type: String, enum: ['queued', 'embedding', 'publishing', 'done', 'failed', 'cancelled'], required: true },
    entries: { type: Number, default: 0 },
    phrasings: { type: Number, default: 0 },
    /** Phrasings embedded so far (of `phrasings`). */
    embedded: { type: Number, default: 0 },
    warnings: { type: [String], default: [] },
    /** The import's result once done (created/updated/removed counts, kbVersion). */
    result: { type: Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
    /** After publishing: the machine translation of missing answers (activities/knowledge/kb-translate.ts), or null (none configured). */
    translation: { type: Schema.Types.Mixed, default: null },
    cancelRequested: { type: Boolean, default: false },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
kbImportSchema.index({ importId: 1 }, { unique: true });
kbImportSchema.index({ shopId: 1, status: 1 });

export type KbImport = InferSchemaType<typeof kbImportSchema>;
export const KbImportModel = model('KbImport', kbImportSchema);

/**
 * The validated rows of an import, staged until it is published: the upload is parsed and checked
 * once, stored here (never in the workflow history), embedded chunk by chunk, then copied to
 * `faqentries` in one short step. Removed when the import ends, whatever the outcome.
 */
const kbImportRowSchema = new Schema({
  importId: { type: String, required: true },
  seq: { type: Number, required: true },
  entry: { type: Schema.Types.Mixed, required: true },
  vectors: { type: [[Number]], default: null },
});
kbImportRowSchema.index({ importId: 1, seq: 1 }, { unique: true });

export const KbImportRowModel = model('KbImportRow', kbImportRowSchema);
