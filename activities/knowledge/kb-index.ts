/**
 * The in-memory FAQ index of a worker: per shop, the phrasing vectors from MongoDB and an intent
 * model (k-NN + softmax regression, label = FAQ entry) trained on them. Rebuilt when the shop's
 * kbVersion changes (every import bumps it); entries embedded with another model are re-embedded.
 * A version made by adding single entries (kb-add.ts, noted in `shops.kbAdds`) extends the previous
 * index in memory: only the added entries are read, the others' vectors are reused (the regression
 * is retrained on the whole set, seconds); an import or a missing note reads the whole KB again.
 */
import { FaqEntryModel } from '../../models/faq-entry.js';
import { ShopModel } from '../../models/shop.js';
import { shopKbVersion } from './kb-version.js';
import type { Embedder } from './embedder.js';
import { classifierOptions } from './embedding-models.js';
import { trainOffThread } from './intent-train.js';
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

/** What is known of the buyer's question beyond its words: the FAQ's `countries` and `sku` columns use it. */
export interface MatchContext {
  /** The countries the question is about (ISO alpha-2): named in it, else the buyer's; empty: unknown. */
  countries?: string[];
  /** SKUs the question is about. */
  skus?: string[];
}

export interface ShopIndex {
  version: number;
  entries: number;
  /** 'full': read from MongoDB; 'incremental': the previous index plus entries added since (kb-add.ts). */
  built: 'full' | 'incremental';
  /** 'knn+regression'; 'knn' alone for a KB too large for the training budget (thousands of entries). */
  classifier: 'knn+regression' | 'knn';
  /** Every SKU the FAQ's entries name (upper case): the question is searched for them. */
  skus: string[];
  /**
   * The FAQ entry for a question vector. With a context: an entry restricted to countries is chosen
   * only when the question's country is one of them, one for SKUs only when the question names one
   * of them or none (an unknown country or SKU leaves every entry open); among the matched intent's
   * entries the most specific wins: one for an SKU the buyer names, then one for the country.
   */
  match(vector: Float32Array, context?: MatchContext): FaqMatch | null;
}

const MIN_EPOCHS = 3;
/** How far past SORA_KB_TRAIN_BUDGET the regression may go (3 epochs of a ≈ 1,100-entry KB) before the index drops it. */
const REGRESSION_MAX_OVER_BUDGET = 10;

/** Index settings (config.understanding): training budget and intent-model overrides. */
export interface KbIndexSettings {
  /** Multiply-adds spent training a shop's regression (SORA_KB_TRAIN_BUDGET, default 6e8). */
  trainBudget?: number;
  kbCenter?: boolean;
  knnTemperature?: number;
  /**
   * Train the regression in a worker thread when it costs more than OFF_THREAD_MIN multiply-adds
   * (default true; false: always in the calling thread, as before).
   */
  trainThread?: boolean;
}

/**
 * How a KB of `phrasings` vectors over `entries` entries is trained within the budget
 * (SORA_KB_TRAIN_BUDGET multiply-adds, default 6e8). A regression over every entry costs phrasings ×
 * entries × dims per epoch: quadratic in the KB's size (10,000 entries: ≈ 4e10 multiply-adds an
 * epoch, minutes of one core). Beyond REGRESSION_MAX_OVER_BUDGET × the budget for the minimum 3
 * epochs, the index is k-NN alone.
 */
export function regressionPlan(phrasings: number, entries: number, dims: number, budget = 6e8) {
  const perEpoch = phrasings * entries * dims;
  const knnOnly = perEpoch * MIN_EPOCHS > budget * REGRESSION_MAX_OVER_BUDGET;
  const epochs = knnOnly ? 0 : Math.max(MIN_EPOCHS, Math.min(30, Math.round(budget / perEpoch)));
  return { perEpoch, knnOnly, epochs };
}

/** Below this many multiply-adds (≈ 0.1 s) the regression trains in place: starting a thread costs more. */
export const OFF_THREAD_MIN = 1e8;

/** What an index was trained on: per FAQ entry, its intent, phrasing vectors and restrictions. */
type IndexData = Map<string, { intent: string; vectors: Float32Array[]; skus: string[]; countries: string[] }>;
const ENTRY_FIELDS = { questionId: 1, intent: 1, question: 1, variants: 1, vectors: 1, embedModel: 1, skus: 1, countries: 1 } as const;
const restrictions = (e: { skus?: string[] | null; countries?: string[] | null }) => ({
  skus: (e.skus ?? []).map((x) => x.toUpperCase()),
  countries: (e.countries ?? []).map((x) => x.toUpperCase()),
});
interface Cached {
  version: number;
  index: Promise<ShopIndex>;
  data: Promise<IndexData>;
}

export class KbIndex {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly embedder: Embedder,
    private readonly settings: KbIndexSettings = {},
  ) {}

  async forShop(shopId: string): Promise<ShopIndex> {
    // The version comes from the process's short-lived copy (kb-version.ts), not a read per message.
    const version = await shopKbVersion(shopId);
    const cached = this.cache.get(shopId);
    if (cached && cached.version === version) return cached.index;
    // Only entries added since the cached version (kb-add.ts)? Extend that index; else read the whole KB.
    const data = cached && cached.version < version ? this.extended(shopId, cached, version) : null;
    const full = async () => this.read(shopId);
    const built = (async () => {
      const extra = data ? await data : null;
      return extra ? { data: extra, how: 'incremental' as const } : { data: await full(), how: 'full' as const };
    })();
    const entry: Cached = {
      version,
      data: built.then((b) => b.data),
      index: built.then((b) => this.train(shopId, version, b.data, b.how)),
    };
    this.cache.set(shopId, entry);
    entry.index.catch(() => {
      if (this.cache.get(shopId) === entry) this.cache.delete(shopId);
    });
    return entry.index;
  }

  /**
   * The cached index's entries plus the ones added after its version, when `shops.kbAdds` notes every
   * version from there to `version` (no import in between); null otherwise (the caller reads it all).
   */
  private async extended(shopId: string, cached: Cached, version: number): Promise<IndexData | null> {
    const before = await cached.data.catch(() => null);
    if (!before) return null;
    const shop = await ShopModel.findOne({ shopId }, { kbAdds: 1 }).lean();
    const notes = new Map((shop?.kbAdds ?? []).map((a) => [a.version, a.questionId]));
    const ids = new Set<string>();
    for (let v = cached.version + 1; v <= version; v++) {
      const id = notes.get(v);
      if (!id) return null;
      ids.add(id);
    }
    const rows = await FaqEntryModel.find({ shopId, questionId: { $in: [...ids] } }, ENTRY_FIELDS).lean();
    const data: IndexData = new Map(before);
    for (const id of ids) data.delete(id);
    for (const e of rows) data.set(e.questionId, { intent: e.intent, vectors: await this.vectorsOf(e), ...restrictions(e) });
    return data;
  }

  /** Every FAQ entry of the shop, with its vectors (re-embedded when they are of another model). */
  private async read(shopId: string): Promise<IndexData> {
    const entries = await FaqEntryModel.find({ shopId }, ENTRY_FIELDS).lean();
    const data: IndexData = new Map();
    for (const e of entries) data.set(e.questionId, { intent: e.intent, vectors: await this.vectorsOf(e), ...restrictions(e) });
    return data;
  }

  private async vectorsOf(e: {
    _id: unknown;
    question: string;
    variants?: string[] | null;
    vectors?: unknown;
    embedModel?: string | null;
  }): Promise<Float32Array[]> {
    const phrasings = [e.question, ...(e.variants ?? [])];
    let vs = (e.vectors ?? []) as unknown as number[][];
    if (e.embedModel !== this.embedder.fingerprint || vs.length !== phrasings.length) {
      const fresh = await this.embedder.embed(phrasings, 'passage');
      vs = fresh.map((v) => Array.from(v));
      await FaqEntryModel.updateOne({ _id: e._id }, { $set: { vectors: vs, embedModel: this.embedder.fingerprint } });
    }
    return vs.map((v) => Float32Array.from(v));
  }

  private async train(shopId: string, version: number, data: IndexData, built: ShopIndex['built']): Promise<ShopIndex> {
    const vectors: Float32Array[] = [];
    const owners: string[] = [];
    const intentOf = new Map<string, string>();
    for (const [questionId, e] of data) {
      intentOf.set(questionId, e.intent);
      for (const v of e.vectors) {
        vectors.push(v);
        owners.push(questionId);
      }
    }
    if (vectors.length === 0) return { version, entries: 0, built, classifier: 'knn', skus: [], match: () => null };
    // Bound the training work so an index builds in a few seconds on a small worker
    // (SORA_KB_TRAIN_BUDGET multiply-adds; ≈8 epochs for the 217-entry demo KB).
    const { perEpoch, knnOnly, epochs } = regressionPlan(vectors.length, intentOf.size, vectors[0]!.length, this.settings.trainBudget);
    const t0 = Date.now();
    const options = { epochs, seed: 1, ...classifierOptions(this.embedder.model, this.settings), ...(knnOnly ? { fusion: 0 } : {}) };
    // Seconds of arithmetic for a few hundred entries: off the thread that serves conversations.
    const offThread = !knnOnly && this.settings.trainThread !== false && perEpoch * epochs >= OFF_THREAD_MIN;
    const model = offThread ? await trainOffThread(vectors, owners, options) : IntentModel.train(vectors, owners, options);
    log(
      `KB index for shop ${shopId} (${built}): ${data.size} entries, ${vectors.length} phrasings, ` +
        `${knnOnly ? 'k-NN only (too large for the regression budget)' : `${epochs} epochs${offThread ? ' in a worker thread' : ''}`}, ${Date.now() - t0} ms`,
    );
    return {
      version,
      entries: data.size,
      built,
      classifier: knnOnly ? 'knn' : 'knn+regression',
      skus: [...new Set([...data.values()].flatMap((e) => e.skus))],
      match(v, context) {
        const p = model.predict(v);
        const countries = (context?.countries ?? []).map((c) => c.toUpperCase());
        const skus = new Set((context?.skus ?? []).map((x) => x.toUpperCase()));
        // An entry for other countries (or other SKUs) is out when the question's are known.
        const open = (label: string) => {
          const e = data.get(label);
          const inCountry = !e?.countries.length || !countries.length || e.countries.some((c) => countries.includes(c));
          return inCountry && (!e?.skus.length || !skus.size || e.skus.some((x) => skus.has(x)));
        };
        const ranked = model.labels.map((label, c) => ({ label, score: p.scores[c]! })).sort((a, b) => b.score - a.score);
        const best = open(p.label) ? p.label : ranked.find((r) => open(r.label))?.label;
        if (!best) return null;
        const intent = intentOf.get(best) ?? 'faq';
        // Neighbouring entries of one intent (shipping to US / to CA) share the probability mass:
        // the confidence is that of the intent, summed over its entries.
        let confidence = 0;
        model.labels.forEach((label, c) => {
          if (intentOf.get(label) === intent) confidence += p.scores[c]!;
        });
        // Among the intent's open entries, the most specific wins: one for an SKU the buyer names, then
        // one for the question's country (over an entry for everywhere), then the best scored.
        const sameIntent = ranked.filter((r) => intentOf.get(r.label) === intent && open(r.label));
        const forSku = skus.size ? sameIntent.find((r) => data.get(r.label)!.skus.some((x) => skus.has(x))) : undefined;
        const forCountry = countries.length ? sameIntent.find((r) => data.get(r.label)!.countries.length > 0) : undefined;
        const chosen = forSku?.label ?? forCountry?.label ?? best;
        const at = model.labels.indexOf(chosen);
        return {
          questionId: chosen,
          intent,
          confidence: Math.min(1, confidence),
          entryConfidence: chosen === p.label ? p.confidence : p.scores[at]!,
          similarity: p.similarity,
        };
      },
    };
  }
}
