/**
 * The in-memory FAQ index of a worker: per shop, the phrasing vectors from MongoDB and an intent
 * model (k-NN + softmax regression, label = FAQ entry) trained on them. Rebuilt when the shop's
 * kbVersion changes (every import bumps it); entries embedded with another model are re-embedded.
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import type { Embedder } from './embedder.js';
import { IntentModel } from './intent-model.js';

export interface FaqMatch {
  questionId: string;
  intent: string;
  /** Fused probability that this entry answers the question. */
  confidence: number;
  /** Cosine similarity to the nearest phrasing. */
  similarity: number;
}

export interface ShopIndex {
  version: number;
  entries: number;
  match(vector: Float32Array): FaqMatch | null;
}

export class KbIndex {
  private readonly cache = new Map<string, { version: number; index: Promise<ShopIndex> }>();

  constructor(private readonly embedder: Embedder) {}

  async forShop(shopId: string): Promise<ShopIndex> {
    const shop = await ShopModel.findOne({ shopId }, { kbVersion: 1 }).lean();
    const version = shop?.kbVersion ?? 0;
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
      if (e.embedModel !== this.embedder.model || vs.length !== phrasings.length) {
        const fresh = await this.embedder.embed(phrasings, 'passage');
        vs = fresh.map((v) => Array.from(v));
        await FaqEntryModel.updateOne({ _id: e._id }, { $set: { vectors: vs, embedModel: this.embedder.model } });
      }
      for (const v of vs) {
        vectors.push(Float32Array.from(v));
        owners.push(e.questionId);
      }
    }
    if (vectors.length === 0) return { version, entries: 0, match: () => null };
    const model = IntentModel.train(vectors, owners, { epochs: 30, seed: 1 });
    return {
      version,
      entries: entries.length,
      match(v) {
        const p = model.predict(v);
        return { questionId: p.label, intent: intentOf.get(p.label) ?? 'faq', confidence: p.confidence, similarity: p.similarity };
      },
    };
  }
}
