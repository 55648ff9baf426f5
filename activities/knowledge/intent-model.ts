/**
 * Intent model over sentence embeddings: k-nearest neighbours (cosine) fused with a softmax
 * (multinomial logistic) regression trained on the KB's vectors at import time. Pure computation,
 * deterministic for a given seed; vectors are unit length so a dot product is the cosine.
 */

export interface Prediction {
  label: string;
  /** Fused probability of `label`, in [0, 1]. */
  confidence: number;
  /** Nearest KB item (index into the training set) and its cosine similarity. */
  nearest: number;
  similarity: number;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
  /** Weight of the regression in the fusion (1 - weight goes to k-NN). */
  fusion?: number;
  k?: number;
  /**
   * Subtract the KB's mean vector (then renormalize) before both classifiers. Models whose vectors
   * share a large common direction (e5: unrelated sentences at cosine ≈0.8) otherwise give flat
   * k-NN votes and a slow regression. The reported `similarity` stays the raw cosine.
   */
  center?: boolean;
  /** k-NN softmax temperature over cosine similarities (default 0.05). */
  temperature?: number;
  onEpoch?: (epoch: number, epochs: number) => void;
}

function centered(v: Float32Array, mean: Float32Array | null): Float32Array {
  if (!mean) return v;
  const out = new Float32Array(v.length);
  let n = 0;
  for (let d = 0; d < v.length; d++) n += (out[d] = v[d]! - mean[d]!) ** 2;
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < v.length; d++) out[d]! /= n;
  return out;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export class IntentModel {
  readonly labels: string[];
  private readonly y: Int32Array;
  private constructor(
    private readonly raw: Float32Array[],
    private readonly vectors: Float32Array[],
    private readonly mean: Float32Array | null,
    private readonly temperature: number,
    labelsOfItems: string[],
    private readonly W: Float32Array, // C × D
    private readonly b: Float32Array,
    readonly fusion: number,
    readonly k: number,
    readonly scale: number,
  ) {
    this.labels = [...new Set(labelsOfItems)];
    const idx = new Map(this.labels.map((l, i) => [l, i]));
    this.y = Int32Array.from(labelsOfItems, (l) => idx.get(l)!);
  }

  static train(rawVectors: Float32Array[], labels: string[], o: TrainOptions = {}): IntentModel {
    if (rawVectors.length === 0) throw new Error('cannot train an intent model on an empty knowledge base');
    const { W, b } = trainRegression(rawVectors, labels, o);
    return IntentModel.fromWeights(rawVectors, labels, o, W, b);
  }

  /**
   * The model from regression weights trained elsewhere (trainRegression, e.g. in a worker thread:
   * activities/knowledge/intent-train.ts) with the same vectors, labels and options.
   */
  static fromWeights(
    rawVectors: Float32Array[],
    labels: string[],
    o: Omit<TrainOptions, 'onEpoch'>,
    W: Float32Array,
    b: Float32Array,
  ): IntentModel {
    if (rawVectors.length === 0) throw new Error('cannot train an intent model on an empty knowledge base');
    const mean = kbMean(rawVectors, o);
    const vectors = rawVectors.map((v) => centered(v, mean));
    return new IntentModel(rawVectors, vectors, mean, o.temperature ?? 0.05, labels, W, b, o.fusion ?? 0.5, o.k ?? 10, REGRESSION_SCALE);
  }

  /** Regression probabilities per class. */
  private regression(x: Float32Array): Float64Array {
    const C = this.labels.length;
    const D = x.length;
    const p = new Float64Array(C);
    if (C === 1) return p.fill(1);
    if (this.fusion === 0) return p;
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      let z = this.b[c]!;
      const off = c * D;
      for (let d = 0; d < D; d++) z += this.W[off + d]! * x[d]! * this.scale;
      p[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c]! - max);
    for (let c = 0; c < C; c++) p[c]! /= sum;
    return p;
  }

  /** k-NN: similarity-weighted vote of the k nearest items (softmax over similarities). */
  private neighbours(x: Float32Array): { vote: Float64Array; nearest: number; similarity: number } {
    const sims = this.vectors.map((v, i) => [dot(v, x), i] as const);
    sims.sort((a, b) => b[0] - a[0]);
    const vote = new Float64Array(this.labels.length);
    const top = sims.slice(0, this.k);
    let sum = 0;
    for (const [s, i] of top) {
      const w = Math.exp((s - top[0]![0]) / this.temperature);
      vote[this.y[i]!]! += w;
      sum += w;
    }
    for (let c = 0; c < vote.length; c++) vote[c]! /= sum || 1;
    return { vote, nearest: top[0]?.[1] ?? -1, similarity: top[0]?.[0] ?? 0 };
  }

  predict(rawX: Float32Array): Prediction & { scores: Float64Array } {
    const x = centered(rawX, this.mean);
    const p = this.regression(x);
    const { vote, nearest, similarity: s } = this.neighbours(x);
    const similarity = this.mean && nearest >= 0 ? dot(this.raw[nearest]!, rawX) : s;
    let best = 0;
    let bestScore = -1;
    const scores = new Float64Array(p.length);
    for (let c = 0; c < p.length; c++) {
      const s = (scores[c] = this.fusion * p[c]! + (1 - this.fusion) * vote[c]!);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    return { label: this.labels[best]!, confidence: bestScore, nearest, similarity, scores };
  }
}

/** Inputs are unit vectors with small coordinates; scaling them makes the regression converge fast. */
const REGRESSION_SCALE = 8;

/** The KB's mean vector when `center` is set (and there is more than one vector), else null. */
function kbMean(rawVectors: Float32Array[], o: Pick<TrainOptions, 'center'>): Float32Array | null {
  if (!o.center || rawVectors.length < 2) return null;
  const mean = new Float32Array(rawVectors[0]!.length);
  for (const v of rawVectors) for (let d = 0; d < v.length; d++) mean[d]! += v[d]! / rawVectors.length;
  return mean;
}

/**
 * The softmax regression's weights (C × D, and C biases) for these vectors and labels: the costly
 * part of training (phrasings × classes × dimensions per epoch). Pure and deterministic for a seed.
 */
export function trainRegression(rawVectors: Float32Array[], labels: string[], o: TrainOptions = {}): { W: Float32Array; b: Float32Array } {
  const mean = kbMean(rawVectors, o);
  const vectors = rawVectors.map((v) => centered(v, mean));
  const classes = [...new Set(labels)];
  const C = classes.length;
  const D = vectors[0]!.length;
  const idx = new Map(classes.map((l, i) => [l, i]));
  const y = labels.map((l) => idx.get(l)!);
  // fusion 0 (k-NN alone, a KB too large for the regression): no weights at all.
  const fusion = o.fusion ?? 0.5;
  const W = new Float32Array(fusion > 0 ? C * D : 0);
  const b = new Float32Array(C);
  const epochs = o.epochs ?? 60;
  const lr0 = o.learningRate ?? 0.5;
  const l2 = o.l2 ?? 1e-4;
  // Inputs are unit vectors with small coordinates; scaling them makes the regression converge fast.
  const scale = REGRESSION_SCALE;
  const rnd = mulberry32(o.seed ?? 42);
  const order = vectors.map((_, i) => i);
  const logits = new Float64Array(C);
  const batch = 32;
  const gW = new Float32Array(fusion > 0 ? C * D : 0);
  const gb = new Float32Array(C);
  if (C > 1 && fusion > 0) {
    for (let ep = 0; ep < epochs; ep++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const lr = lr0 * (1 - ep / epochs) + 0.01;
      for (let s = 0; s < order.length; s += batch) {
        gW.fill(0);
        gb.fill(0);
        const end = Math.min(s + batch, order.length);
        for (let q = s; q < end; q++) {
          const n = order[q]!;
          const x = vectors[n]!;
          let max = -Infinity;
          for (let c = 0; c < C; c++) {
            let z = b[c]!;
            const off = c * D;
            for (let d = 0; d < D; d++) z += W[off + d]! * x[d]! * scale;
            logits[c] = z;
            if (z > max) max = z;
          }
          let sum = 0;
          for (let c = 0; c < C; c++) sum += logits[c] = Math.exp(logits[c]! - max);
          for (let c = 0; c < C; c++) {
            const g = logits[c]! / sum - (c === y[n] ? 1 : 0);
            if (Math.abs(g) < 1e-6) continue;
            gb[c]! += g;
            const off = c * D;
            for (let d = 0; d < D; d++) gW[off + d]! += g * x[d]! * scale;
          }
        }
        const m = end - s;
        for (let i = 0; i < W.length; i++) W[i]! -= lr * (gW[i]! / m + l2 * W[i]!);
        for (let c = 0; c < C; c++) b[c]! -= (lr * gb[c]!) / m;
      }
      o.onEpoch?.(ep + 1, epochs);
    }
  }
  return { W, b };
}
