/**
 * Machine translation costs (docs/translation.md "Costs"): one document per (shop, UTC month,
 * provider), counters bumped with `$inc` upserts by the cached translator (infra/translation).
 */
import { model, Schema } from 'mongoose';
import type { ProviderName, UsageIncrement } from '../infra/translation/index.js';

const translationUsageSchema = new Schema(
  {
    shopId: { type: String, required: true },
    /** YYYY-MM (UTC). */
    month: { type: String, required: true },
    provider: { type: String, required: true },
    /** Characters sent to the provider (billed). */
    characters: { type: Number, default: 0 },
    /** OpenAI-compatible APIs: tokens from `usage`. */
    promptTokens: { type: Number, default: 0 },
    completionTokens: { type: Number, default: 0 },
    totalTokens: { type: Number, default: 0 },
    requests: { type: Number, default: 0 },
    /** Characters answered from the cache (not billed). */
    cachedCharacters: { type: Number, default: 0 },
  },
  { versionKey: false },
);
translationUsageSchema.index({ shopId: 1, month: 1, provider: 1 }, { unique: true });

export const TranslationUsageModel = model('TranslationUsage', translationUsageSchema);

export async function meterTranslation(shopId: string, provider: ProviderName, month: string, u: UsageIncrement): Promise<void> {
  const inc: Record<string, number> = {
    characters: u.characters,
    promptTokens: u.tokens?.prompt ?? 0,
    completionTokens: u.tokens?.completion ?? 0,
    totalTokens: u.tokens?.total ?? 0,
    requests: u.requests,
    cachedCharacters: u.cachedCharacters,
  };
  for (const k of Object.keys(inc)) if (!inc[k]) delete inc[k];
  if (!Object.keys(inc).length) return;
  await TranslationUsageModel.updateOne({ shopId, month, provider }, { $inc: inc }, { upsert: true });
}

export interface TranslationUsageRow {
  provider: string;
  characters: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  requests: number;
  cachedCharacters: number;
}

/** The shop's translation usage of a month (YYYY-MM, UTC), one row per provider used. */
export async function translationUsage(shopId: string, month: string): Promise<TranslationUsageRow[]> {
  const rows = await TranslationUsageModel.find({ shopId, month }).sort({ provider: 1 }).lean();
  return rows.map((r) => ({
    provider: r.provider,
    characters: r.characters ?? 0,
    promptTokens: r.promptTokens ?? 0,
    completionTokens: r.completionTokens ?? 0,
    totalTokens: r.totalTokens ?? 0,
    requests: r.requests ?? 0,
    cachedCharacters: r.cachedCharacters ?? 0,
  }));
}
