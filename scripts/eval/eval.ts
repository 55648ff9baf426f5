/**
 * `sora eval`: quality of intent detection on a labeled KB and labeled cases. Each KB row becomes an
 * FAQ entry whose intent is its label; `--shots N` keeps N rows per label (cold start, seeded).
 * Figures (scripts/eval/metrics.ts): top-1 accuracy, macro-F1, per-language accuracy, calibration,
 * confident wrong answers at the live gate, confusion, worst examples; latency per query.
 */
import { performance } from 'node:perf_hooks';
import { Embedder, type EmbedderOptions } from '../../activities/knowledge/embedder.js';
import { IntentModel } from '../../activities/knowledge/intent-model.js';
import { classifierOptions, profileFor } from '../../activities/knowledge/embedding-models.js';
import { preferPivot } from '../../activities/understanding/pivot.js';
import { cachedLanguageAlignment } from '../../activities/knowledge/language-alignment.js';
import { detectLanguage } from '../../activities/understanding/language.js';
import { readLabeled, shuffledByLabel, type LabeledRow } from './labeled-csv.js';
import { figures, type CaseOutcome, type Figures } from './metrics.js';

export { expectedCalibrationError, macroF1 } from './metrics.js';

export interface EvalOptions {
  kb: string;
  cases: string;
  shots?: number;
  seed?: number;
  model?: string;
  fusion?: number;
  /** Column of both files holding the label (default `label`). */
  labelColumn?: string;
  /**
   * Column of the cases holding each message in the KB's language: test-time pivoting
   * (SORA_UNDERSTAND_PIVOT) with that column as the provider's translation; the better match wins
   * as live (activities/understanding/pivot.ts). Empty cells: the message alone.
   */
  pivotColumn?: string;
  /**
   * Language alignment (SORA_LANGUAGE_ALIGNMENT, activities/knowledge/language-alignment.ts): each
   * case's vector is moved into English's region by its detected language, as live.
   * 'mean': the shift of means alone (the simpler variant, for comparison).
   */
  align?: 'ridge' | 'mean';
  /** config.embedding (batch size, prefixes, cache…); `model` wins over its model. */
  embedding?: EmbedderOptions;
  /** config.understanding's intent-model overrides (SORA_KB_CENTER, SORA_KNN_TEMPERATURE). */
  classifier?: { kbCenter?: boolean; knnTemperature?: number };
  /** The live gate (SORA_MATCH_THRESHOLD, default 0.3; SORA_MATCH_MIN_SIMILARITY, default the model's floor). */
  threshold?: number;
  minSimilarity?: number;
  log?: (m: string) => void;
}

export interface EvalResult extends Figures {
  p50_ms: number;
  p95_ms: number;
  /** The live gate: a match is answered when confidence ≥ threshold and similarity ≥ min_similarity. */
  threshold: number;
  min_similarity: number;
  kb_rows: number;
  labels: number;
  model: string;
  /** Resident memory of the process after embedding and classifying (model + index), MB. */
  rss_mb: number;
  /** With pivotColumn: cases with a pivot text, and those whose pivot match was used. */
  pivot?: { column: string; offered: number; used: number };
  /** With align: the variant, and the cases whose vector was moved (detected language other than English). */
  alignment?: { kind: 'ridge' | 'mean'; aligned: number; build_ms: number; from_cache: boolean };
}

export function sampleShots(rows: LabeledRow[], shots: number, seed: number): LabeledRow[] {
  return shuffledByLabel(rows, seed).flatMap((group) => group.slice(0, shots));
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
};

export async function runEval(o: EvalOptions): Promise<EvalResult> {
  const log = o.log ?? (() => {});
  let kb = readLabeled(o.kb, o.labelColumn);
  const cases = readLabeled(o.cases, o.labelColumn, o.pivotColumn);
  if (o.shots !== undefined) kb = sampleShots(kb, o.shots, o.seed ?? 1);
  const embedder = new Embedder({ ...o.embedding, ...(o.model ? { model: o.model } : {}) });
  log(`embedding ${kb.length} KB rows with ${embedder.model} …`);
  const vectors = await embedder.embed(
    kb.map((r) => r.text),
    'passage',
    (d, t) => d % 1024 < embedder.batchSize && log(`  ${d}/${t}`),
  );
  log(`training the intent model (${new Set(kb.map((r) => r.label)).size} labels) …`);
  const model = IntentModel.train(
    vectors,
    kb.map((r) => r.label),
    {
      seed: o.seed ?? 1,
      fusion: o.fusion,
      ...classifierOptions(embedder.model, o.classifier),
      onEpoch: (e, n) => e % 20 === 0 && log(`  epoch ${e}/${n}`),
    },
  );
  let alignment: Awaited<ReturnType<typeof cachedLanguageAlignment>> | null = null;
  let buildMs = 0;
  const multilingual = profileFor(embedder.model).languages === 'multilingual';
  if (o.align && !multilingual) log(`language alignment is for a multilingual model; ${embedder.model} is matched unaligned (as live)`);
  if (o.align && multilingual) {
    log(`learning the language alignment (${o.align}) from the message catalogs …`);
    const t0 = performance.now();
    alignment = await cachedLanguageAlignment((texts) => embedder.embed(texts, 'query'), embedder.fingerprint, embedder.cacheDir, {
      kind: o.align,
    });
    buildMs = Math.round(performance.now() - t0);
  }
  let aligned = 0;
  log(`classifying ${cases.length} cases …`);
  const threshold = o.threshold ?? 0.3;
  const minSimilarity = o.minSimilarity ?? embedder.minSimilarity;
  const outcomes: CaseOutcome[] = [];
  const times: number[] = [];
  const gate = { threshold, minSimilarity };
  let pivotUsed = 0;
  for (const [i, c] of cases.entries()) {
    const t0 = performance.now();
    let [v] = await embedder.embed([c.text], 'query');
    const moved = alignment?.apply(v!, detectLanguage(c.text, null, 'en'));
    if (moved) {
      v = moved;
      aligned++;
    }
    let p = model.predict(v!);
    if (c.pivot) {
      const [pv] = await embedder.embed([c.pivot], 'query');
      const pp = model.predict(pv!);
      if (preferPivot(p, pp, gate)) {
        p = pp;
        pivotUsed++;
      }
    }
    times.push(performance.now() - t0);
    outcomes.push({
      text: c.text,
      ...(c.lang ? { lang: c.lang } : {}),
      expected: c.label,
      got: p.label,
      confidence: p.confidence,
      similarity: p.similarity,
      answered: p.confidence >= threshold && p.similarity >= minSimilarity,
    });
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${cases.length}`);
  }
  return {
    ...figures(outcomes),
    p50_ms: Number(quantile(times, 0.5).toFixed(2)),
    p95_ms: Number(quantile(times, 0.95).toFixed(2)),
    threshold,
    min_similarity: minSimilarity,
    kb_rows: kb.length,
    labels: model.labels.length,
    model: embedder.model,
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    ...(alignment && o.align
      ? { alignment: { kind: o.align, aligned, build_ms: buildMs, from_cache: alignment?.fromCache ?? false } }
      : {}),
    ...(o.pivotColumn ? { pivot: { column: o.pivotColumn, offered: cases.filter((c) => c.pivot).length, used: pivotUsed } } : {}),
  };
}
