/**
 * `sora eval`: quality of intent detection on a labeled KB and labeled cases. Each KB row becomes an
 * FAQ entry whose intent is its label; `--shots N` keeps N rows per label (cold start, seeded).
 * Prints top-1 accuracy, macro-F1, per-language accuracy and latency per query.
 */
import { performance } from 'node:perf_hooks';
import { Embedder, type EmbedderOptions } from '../../activities/knowledge/embedder.js';
import { IntentModel } from '../../activities/knowledge/intent-model.js';
import { classifierOptions } from '../../activities/knowledge/embedding-models.js';
import { readLabeled, shuffledByLabel, type LabeledRow } from './labeled-csv.js';

export interface EvalOptions {
  kb: string;
  cases: string;
  shots?: number;
  seed?: number;
  model?: string;
  fusion?: number;
  /** Column of both files holding the label (default `label`). */
  labelColumn?: string;
  /** config.embedding (batch size, prefixes, cache…); `model` wins over its model. */
  embedding?: EmbedderOptions;
  /** config.understanding's intent-model overrides (SORA_KB_CENTER, SORA_KNN_TEMPERATURE). */
  classifier?: { kbCenter?: boolean; knnTemperature?: number };
  log?: (m: string) => void;
}

export interface EvalResult {
  accuracy: number;
  macro_f1: number;
  n: number;
  per_lang: Record<string, { accuracy: number; n: number }>;
  p50_ms: number;
  p95_ms: number;
  /** Expected calibration error of the confidence (10 equal-width bins). */
  ece: number;
  kb_rows: number;
  labels: number;
  model: string;
  /** Resident memory of the process after embedding and classifying (model + index), MB. */
  rss_mb: number;
}

export function sampleShots(rows: LabeledRow[], shots: number, seed: number): LabeledRow[] {
  return shuffledByLabel(rows, seed).flatMap((group) => group.slice(0, shots));
}

/** Expected calibration error: |accuracy − mean confidence| per bin, weighted by bin size. */
export function expectedCalibrationError(confidence: number[], correct: boolean[], bins = 10): number {
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const idx = confidence.map((c, i) => [c, i] as const).filter(([c]) => (b === 0 ? c >= 0 : c > b / bins) && c <= (b + 1) / bins);
    if (idx.length === 0) continue;
    const acc = idx.filter(([, i]) => correct[i]).length / idx.length;
    const conf = idx.reduce((s, [c]) => s + c, 0) / idx.length;
    ece += (idx.length / confidence.length) * Math.abs(acc - conf);
  }
  return ece;
}

export function macroF1(gold: string[], pred: string[]): number {
  const labels = new Set(gold);
  let sum = 0;
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === l && gold[i] === l) tp++;
      else if (pred[i] === l) fp++;
      else if (gold[i] === l) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return labels.size ? sum / labels.size : 0;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
};

export async function runEval(o: EvalOptions): Promise<EvalResult> {
  const log = o.log ?? (() => {});
  let kb = readLabeled(o.kb, o.labelColumn);
  const cases = readLabeled(o.cases, o.labelColumn);
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
  log(`classifying ${cases.length} cases …`);
  const pred: string[] = [];
  const conf: number[] = [];
  const times: number[] = [];
  for (const [i, c] of cases.entries()) {
    const t0 = performance.now();
    const [v] = await embedder.embed([c.text], 'query');
    const p = model.predict(v!);
    pred.push(p.label);
    conf.push(p.confidence);
    times.push(performance.now() - t0);
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${cases.length}`);
  }
  const gold = cases.map((c) => c.label);
  const correct = gold.map((g, i) => g === pred[i]);
  const perLang: EvalResult['per_lang'] = {};
  for (const [i, c] of cases.entries()) {
    if (!c.lang) continue;
    const e = (perLang[c.lang] ??= { accuracy: 0, n: 0 });
    e.n++;
    e.accuracy += correct[i] ? 1 : 0;
  }
  for (const e of Object.values(perLang)) e.accuracy = Number((e.accuracy / e.n).toFixed(4));
  return {
    accuracy: Number((correct.filter(Boolean).length / Math.max(1, cases.length)).toFixed(4)),
    macro_f1: Number(macroF1(gold, pred).toFixed(4)),
    n: cases.length,
    per_lang: perLang,
    p50_ms: Number(quantile(times, 0.5).toFixed(2)),
    p95_ms: Number(quantile(times, 0.95).toFixed(2)),
    ece: Number(expectedCalibrationError(conf, correct).toFixed(4)),
    kb_rows: kb.length,
    labels: model.labels.length,
    model: embedder.model,
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}
