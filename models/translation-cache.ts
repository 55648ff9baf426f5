/**
 * The translation cache (docs/translation.md "Cache"): one document per (provider, from, to,
 * sha256(text), glossary hash), so the same text is never paid twice; and `translationStore`, the
 * MongoDB implementation of infra/translation's TranslationStore (cache + metering) that entry
 * points pass to createTranslator.
 */
import { model, Schema } from 'mongoose';
import type { CacheEntry, TranslationStore } from '../infra/translation/index.js';
import { meterTranslation } from './translation-usage.js';

const translationCacheSchema = new Schema(
  {
    /** sha256 of [provider, from, to, textHash, glossaryHash] (infra/translation/cached.ts cacheKey). */
    key: { type: String, required: true },
    provider: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    textHash: { type: String, required: true },
    glossaryHash: { type: String, default: '' },
    text: { type: String, required: true },
    detectedFrom: { type: String },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
translationCacheSchema.index({ key: 1 }, { unique: true });

export const TranslationCacheModel = model('TranslationCache', translationCacheSchema);

export const translationStore: TranslationStore = {
  async lookup(keys) {
    const out = new Map<string, { text: string; detectedFrom?: string }>();
    if (!keys.length) return out;
    const rows = await TranslationCacheModel.find({ key: { $in: keys } }, { key: 1, text: 1, detectedFrom: 1 }).lean();
    for (const r of rows) out.set(r.key, { text: r.text, ...(r.detectedFrom ? { detectedFrom: r.detectedFrom } : {}) });
    return out;
  },
  async save(entries: CacheEntry[]) {
    if (!entries.length) return;
    // Upsert by key: two processes translating the same text at once both succeed.
    await TranslationCacheModel.bulkWrite(
      entries.map((e) => ({
        updateOne: { filter: { key: e.key }, update: { $setOnInsert: { ...e, createdAt: new Date() } }, upsert: true },
      })),
      { ordered: false },
    );
  },
  meter: meterTranslation,
};
