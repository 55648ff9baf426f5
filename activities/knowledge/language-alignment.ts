/**
 * Language alignment (SORA_LANGUAGE_ALIGNMENT): moves a buyer question's vector from its own
 * language's region of the multilingual model's space into the English region, before it is matched
 * against an FAQ written in English. Multilingual encoders such as e5 keep a language-specific
 * component in every vector (same-language sentences sit closer than their meaning warrants), which
 * is a large part of why a Vietnamese or Arabic question misses its English FAQ entry.
 *
 * The map is learned at start from text the product already ships in every language: the buyer-facing
 * message catalogs (activities/catalog/locales, 70 customer-service sentences per language, each a
 * translation of the same English message). For each language L, with μ_L the mean of its catalog
 * vectors:
 *
 *     v' = normalize( μ_en + (v − μ_L) · W )
 *
 * where W (dims × dims) is one ridge regression shared by all languages, from the centred catalog
 * vectors of every language to the centred vectors of their English originals:
 * W = (XᵀX + λI)⁻¹ (XᵀY + λI), i.e. pulled towards the identity. λ = 1 was chosen on
 * bench/crosslingual/dev.csv (0.3 / 1 / 3 / 10 / 30 tried; mean shift alone, W = I, also measured):
 * README "Cross-lingual quality" has the figures, dev and held-out.
 *
 * It is for an FAQ written in English: a question in a language the FAQ also has phrasings in would
 * be moved away from them, which is why it is off by default.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ar from '../catalog/locales/ar.json' with { type: 'json' };
import en from '../catalog/locales/en.json' with { type: 'json' };
import es from '../catalog/locales/es.json' with { type: 'json' };
import fr from '../catalog/locales/fr.json' with { type: 'json' };
import id from '../catalog/locales/id.json' with { type: 'json' };
import ms from '../catalog/locales/ms.json' with { type: 'json' };
import pt from '../catalog/locales/pt.json' with { type: 'json' };
import th from '../catalog/locales/th.json' with { type: 'json' };
import vi from '../catalog/locales/vi.json' with { type: 'json' };
import zh from '../catalog/locales/zh.json' with { type: 'json' };

/** The sentences the map is learned from: every catalog message with its placeholders removed, by language. */
export type ParallelSentences = Record<string, Record<string, string>>;

const CATALOGS: ParallelSentences = { en, zh, es, fr, pt, th, vi, id, ms, ar };

/** A catalog message as plain text: ICU arguments (`{opens}`, `{n, plural, …}`'s inner parts) dropped. */
export function plainSentence(pattern: string): string {
  return pattern
    .replace(/\{[^{}]*\}/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function catalogSentences(): ParallelSentences {
  const out: ParallelSentences = {};
  for (const [lang, catalog] of Object.entries(CATALOGS)) {
    out[lang] = {};
    for (const [key, pattern] of Object.entries(catalog)) {
      const s = plainSentence(pattern);
      if (s) out[lang][key] = s;
    }
  }
  return out;
}

export interface LanguageAlignment {
  /** The language vectors are moved into. */
  readonly target: string;
  /** Languages with a map (every sentence language but the target). */
  readonly languages: readonly string[];
  /** The vector moved into the target's region (unit length), or null for the target or an unknown language. */
  apply(v: Float32Array, language: string): Float32Array | null;
}

const LEARN_BATCH = 4;
/** Bumped when the map's computation or file format changes (part of the cache key). */
const FORMAT = 'v1';

export interface AlignmentOptions {
  target?: string;
  /** Ridge strength (towards the identity map); default 1. */
  lambda?: number;
  /** 'ridge' (default) or 'mean' (the shift of means alone, W = I). */
  kind?: 'ridge' | 'mean';
}

function mean(vs: Float32Array[], dims: number): Float64Array {
  const m = new Float64Array(dims);
  for (const v of vs) for (let j = 0; j < dims; j++) m[j]! += v[j]! / vs.length;
  return m;
}

/** W = (XᵀX + λI)⁻¹ (XᵀY + λI), by Gauss–Jordan elimination (the matrix is symmetric positive definite). */
export function ridgeMap(X: Float64Array[], Y: Float64Array[], dims: number, lambda: number): Float64Array[] {
  const A = Array.from({ length: dims }, () => new Float64Array(dims));
  const B = Array.from({ length: dims }, () => new Float64Array(dims));
  for (let n = 0; n < X.length; n++) {
    const x = X[n]!;
    const y = Y[n]!;
    for (let i = 0; i < dims; i++) {
      const xi = x[i]!;
      if (!xi) continue;
      const Ai = A[i]!;
      const Bi = B[i]!;
      for (let j = 0; j < dims; j++) {
        Ai[j]! += xi * x[j]!;
        Bi[j]! += xi * y[j]!;
      }
    }
  }
  for (let i = 0; i < dims; i++) {
    A[i]![i]! += lambda;
    B[i]![i]! += lambda;
  }
  for (let c = 0; c < dims; c++) {
    const Ac = A[c]!;
    const Bc = B[c]!;
    const p = Ac[c]!;
    for (let j = 0; j < dims; j++) {
      Ac[j]! /= p;
      Bc[j]! /= p;
    }
    for (let r = 0; r < dims; r++) {
      if (r === c) continue;
      const Ar = A[r]!;
      const Br = B[r]!;
      const f = Ar[c]!;
      if (!f) continue;
      for (let j = 0; j < dims; j++) {
        Ar[j]! -= f * Ac[j]!;
        Br[j]! -= f * Bc[j]!;
      }
    }
  }
  return B;
}

/**
 * Learns the alignment from parallel sentences (default: the message catalogs), embedded with
 * `embed` exactly as buyer questions are (the query side).
 */
export async function buildLanguageAlignment(
  embedAll: (texts: string[]) => Promise<Float32Array[]>,
  o: AlignmentOptions = {},
  sentences: ParallelSentences = catalogSentences(),
): Promise<LanguageAlignment> {
  // A few sentences per pass: learning shares the model with buyer questions, which then wait for
  // one small pass at most, not for a batch of 32 long sentences.
  const embed = async (texts: string[]) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += LEARN_BATCH) out.push(...(await embedAll(texts.slice(i, i + LEARN_BATCH))));
    return out;
  };
  const target = o.target ?? 'en';
  const lambda = o.lambda ?? 1;
  const ref = sentences[target];
  if (!ref) throw new Error(`language alignment: no sentences in the target language "${target}"`);
  const refKeys = Object.keys(ref);
  const refVectors = await embed(refKeys.map((k) => ref[k]!));
  const dims = refVectors[0]?.length ?? 0;
  if (!dims) throw new Error('language alignment: the target language has no sentences');
  const refByKey = new Map(refKeys.map((k, i) => [k, refVectors[i]!]));
  const muTarget = mean(refVectors, dims);
  const means = new Map<string, Float64Array>();
  const X: Float64Array[] = [];
  const Y: Float64Array[] = [];
  for (const [lang, byKey] of Object.entries(sentences)) {
    if (lang === target) continue;
    const keys = Object.keys(byKey).filter((k) => refByKey.has(k));
    if (!keys.length) continue;
    const vs = await embed(keys.map((k) => byKey[k]!));
    const mu = mean(vs, dims);
    means.set(lang, mu);
    for (const [i, k] of keys.entries()) {
      const y = refByKey.get(k)!;
      X.push(Float64Array.from(vs[i]!, (x, j) => x - mu[j]!));
      Y.push(Float64Array.from(y, (x, j) => x - muTarget[j]!));
    }
  }
  const W = o.kind === 'mean' ? null : ridgeMap(X, Y, dims, lambda);
  return alignmentFromData({
    target,
    dims,
    muTarget: Float32Array.from(muTarget),
    means: Object.fromEntries([...means].map(([l, m]) => [l, Float32Array.from(m)])),
    W: W ? Float32Array.from(W.flatMap((row) => Array.from(row))) : null,
  });
}

/** What an alignment is made of (and what the on-disk cache holds). */
export interface AlignmentData {
  target: string;
  dims: number;
  muTarget: Float32Array;
  means: Record<string, Float32Array>;
  /** Row-major dims × dims, or null for the shift of means alone. */
  W: Float32Array | null;
}

export function alignmentFromData(d: AlignmentData): LanguageAlignment & { data: AlignmentData } {
  const { dims, W, muTarget } = d;
  return {
    target: d.target,
    languages: Object.keys(d.means),
    data: d,
    apply(v, language) {
      const mu = language === d.target ? undefined : d.means[language];
      if (!mu || v.length !== dims) return null;
      const out = Float64Array.from(muTarget);
      if (W) {
        for (let a = 0; a < dims; a++) {
          const za = v[a]! - mu[a]!;
          const row = a * dims;
          for (let j = 0; j < dims; j++) out[j]! += za * W[row + j]!;
        }
      } else {
        for (let j = 0; j < dims; j++) out[j]! += v[j]! - mu[j]!;
      }
      let n = 0;
      for (let j = 0; j < dims; j++) n += out[j]! * out[j]!;
      n = Math.sqrt(n) || 1;
      return Float32Array.from(out, (x) => x / n);
    },
  };
}

const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const f32 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  if (b.byteLength % 4) throw new Error('not a language alignment of the expected shape');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export function serializeAlignment(d: AlignmentData): string {
  return JSON.stringify({
    target: d.target,
    dims: d.dims,
    muTarget: b64(d.muTarget),
    means: Object.fromEntries(Object.entries(d.means).map(([l, m]) => [l, b64(m)])),
    W: d.W ? b64(d.W) : null,
  });
}

/** Throws on a file that is not a whole alignment (wrong sizes would give NaN vectors, not errors). */
export function deserializeAlignment(text: string): AlignmentData {
  const j = JSON.parse(text) as { target: string; dims: number; muTarget: string; means: Record<string, string>; W: string | null };
  const d: AlignmentData = {
    target: j.target,
    dims: j.dims,
    muTarget: f32(j.muTarget),
    means: Object.fromEntries(Object.entries(j.means).map(([l, m]) => [l, f32(m)])),
    W: j.W ? f32(j.W) : null,
  };
  const ok =
    typeof d.target === 'string' &&
    Number.isInteger(d.dims) &&
    d.dims > 0 &&
    d.muTarget.length === d.dims &&
    Object.values(d.means).every((m) => m.length === d.dims) &&
    (d.W === null || d.W.length === d.dims * d.dims) &&
    [d.muTarget, d.W ?? new Float32Array(), ...Object.values(d.means)].every((a) => a.every(Number.isFinite));
  if (!ok) throw new Error('not a language alignment of the expected shape');
  return d;
}

/**
 * The alignment for this model and these sentences, from `dir` when learned before (learning embeds
 * ≈ 700 sentences: about a minute with e5 on 2 shared cores), else learned and written there.
 */
export async function cachedLanguageAlignment(
  embed: (texts: string[]) => Promise<Float32Array[]>,
  fingerprint: string,
  dir: string | false,
  o: AlignmentOptions = {},
  sentences: ParallelSentences = catalogSentences(),
): Promise<LanguageAlignment & { fromCache: boolean }> {
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, fingerprint, o.target ?? 'en', o.lambda ?? 1, o.kind ?? 'ridge', sentences]))
    .digest('hex')
    .slice(0, 16);
  const file = dir ? path.join(dir, `language-alignment-${key}.json`) : null;
  if (file && existsSync(file)) {
    try {
      return { ...alignmentFromData(deserializeAlignment(readFileSync(file, 'utf8'))), fromCache: true };
    } catch {
      // A damaged file is learned again and rewritten.
    }
  }
  const a = (await buildLanguageAlignment(embed, o, sentences)) as LanguageAlignment & { data: AlignmentData };
  if (file) {
    // Best effort: a cache that cannot be written (read-only, full) costs a relearn at the next start,
    // never the alignment. Each process writes its own temporary file (several workers may learn at once).
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(tmp, serializeAlignment(a.data));
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  return { ...a, fromCache: false };
}

const shared = new WeakMap<object, Promise<LanguageAlignment | null>>();

/**
 * One alignment per embedder (per process), from the on-disk cache or learned once; started at
 * worker start so the first buyer question does not wait for it. A failure is reported through
 * `onError` and leaves questions unaligned (null) rather than failing them.
 */
export function sharedLanguageAlignment(
  embedder: { fingerprint: string; embed(texts: string[], role: 'query' | 'passage'): Promise<Float32Array[]> },
  cacheDir: string | false,
  onError: (e: unknown) => void,
): Promise<(LanguageAlignment & { fromCache: boolean }) | null> {
  let p = shared.get(embedder) as Promise<(LanguageAlignment & { fromCache: boolean }) | null> | undefined;
  if (!p) {
    p = cachedLanguageAlignment((texts) => embedder.embed(texts, 'query'), embedder.fingerprint, cacheDir).catch((e: unknown) => {
      onError(e);
      return null;
    });
    shared.set(embedder, p);
  }
  return p;
}
