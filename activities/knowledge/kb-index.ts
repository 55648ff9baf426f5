/**
 * The in-memory FAQ index of a worker: per shop, the phrasing vectors from MongoDB and an intent
 * model (k-NN + softmax regression, label = FAQ entry) trained on them. Rebuilt when the shop's
 * kbVersion changes (every import bumps it); entries embedded with another model are re-embedded.
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { shopKbVersion } from './kb-version.js';
import type { Embedder } from './embedder.js';
import { classifierOptions } from './embedding-models.js';
import { IntentModel } from './intent-model.js';
import { log } from '../../infra/log.js';

export interface FaqMatch {
  questionId: string;
  intent: string;
  /** Fused probability of the intent (summed over its entries). */
  confidence: number;
  /** Fused probability of this very entry. */
  entryConfidence: number;
  /** Cosine similarity to the nearest phrasing. */
  similarity: number;
}

export interface ShopIndex {
  version: number;
  entries: number;
  match(vector: Float32Array): FaqMatch | null;
}

/** Index settings (config.understanding): training budget and intent-model overrides. */
export interface KbIndexSettings {
  /** Multiply-adds spent training a shop's regression (SORA_KB_TRAIN_BUDGET, default 6e8). */
  trainBudget?: number;
  kbCenter?: boolean;
  knnTemperature?: number;
}

export class KbIndex {
  private readonly cache = new Map<string, { version: number; index: Promise<ShopIndex> }>();

  constructor(
    private readonly embedder: Embedder,
    private readonly settings: KbIndexSettings = {},
  ) {}

  async forShop(shopId: string): Promise<ShopIndex> {
    // The version comes from the process's short-lived copy (kb-version.ts), not a read per message.
    const version = await shopKbVersion(shopId);
    const cached = this.cache.get(shopId);
    if (cached && cached.version === version) return cached.index;
    const index = this.build(shopId, version);
    this.cache.set(shopId, { version, index });
    index.catch(() => this.cache.delete(shopId));
    return index;
  }

  private async build(shopId: string, version: number): Promise<ShopIndex> {
    const entries = await FaqEntryModel.find(
      { shopId },
      { questionId: 1, intent: 1, question: 1, variants: 1, vectors: 1, embedModel: 1 },
    ).lean();
    const vectors: Float32Array[] = [];
    const owners: string[] = [];
    const intentOf = new Map<string, string>();
    for (const e of entries) {
      intentOf.set(e.questionId, e.intent);
      const phrasings = [e.question, ...(e.variants ?? [])];
      let vs = (e.vectors ?? []) as unknown as number[][];
      if (e.embedModel !== this.embedder.fingerprint || vs.length !== phrasings.length) {
        const fresh = await this.embedder.embed(phrasings, 'passage');
        vs = fresh.map((v) => Array.from(v));
        await FaqEntryModel.updateOne({ _id: e._id }, { $set: { vectors: vs, embedModel: this.embedder.fingerprint } });
      }
      for (const v of vs) {
        vectors.push(Float32Array.from(v));
        owners.push(e.questionId);
      }
    }
    if (vectors.length === 0) return { version, entries: 0, match: () => null };
    // Bound the training work so an index builds in a few seconds on a small worker
    // (SORA_KB_TRAIN_BUDGET multiply-adds; ≈8 epochs for the 217-entry demo KB).
    const budget = this.settings.trainBudget ?? 6e8;
    const epochs = Math.max(3, Math.min(30, Math.round(budget / (vectors.length * intentOf.size * vectors[0]!.length))));
    const t0 = Date.now();
    const model = IntentModel.train(vectors, owners, { epochs, seed: 1, ...classifierOptions(this.embedder.model, this.settings) });
    log(`KB index for shop ${shopId}: ${entries.length} entries, ${vectors.length} phrasings, ${epochs} epochs, ${Date.now() - t0} ms`);
    return {
      version,
      entries: entries.length,
      match(v) {
        const p = model.predict(v);
        const intent = intentOf.get(p.label) ?? 'faq';
        // Neighbouring entries of one intent (shipping to US / to CA) share the probability mass:
        // the confidence is that of the intent, summed over its entries.
        let confidence = 0;
        model.labels.forEach((label, c) => {
          if (intentOf.get(label) === intent) confidence += p.scores[c]!;
        });
        return {
          questionId: p.label,
          intent,
          confidence: Math.min(1, confidence),
          entryConfidence: p.confidence,
          similarity: p.similarity,
        };
      },
    };
  }
}
