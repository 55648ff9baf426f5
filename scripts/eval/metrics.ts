/**
 * Figures of `sora eval` computed from the per-case outcomes: accuracy, macro-F1, calibration
 * (ECE and the reliability bins), confident wrong answers (answered by the live gate, yet wrong),
 * confusion by intent and by language, and the worst examples. Pure functions, no model.
 */

/** One classified case. `answered`: the live path would answer (confidence ≥ threshold, similarity ≥ floor). */
export interface CaseOutcome {
  text: string;
  lang?: string;
  expected: string;
  got: string;
  confidence: number;
  similarity: number;
  answered: boolean;
}

export interface ConfusionCell {
  expected: string;
  got: string;
  count: number;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  /** Mean confidence and accuracy of the bin's cases (0 when empty). */
  confidence: number;
  accuracy: number;
}

export interface LangFigures {
  accuracy: number;
  n: number;
  /** Correct and answered; wrong yet answered (confident wrong); not answered, split by whether the top label was right. */
  answered_correct: number;
  confident_wrong: number;
  unanswered_correct: number;
  unanswered_wrong: number;
  /** Its most frequent wrong pairs (up to 3). */
  top_confusions: ConfusionCell[];
}

export interface ConfidentWrong {
  /** Wrong answers the live gate would have sent. */
  count: number;
  /** Cases the live gate would answer. */
  answered: number;
  /** count / answered: how often an answer that went out was wrong. */
  rate: number;
  /** count / n. */
  rate_of_all: number;
}

export interface Figures {
  accuracy: number;
  macro_f1: number;
  n: number;
  ece: number;
  confident_wrong: ConfidentWrong;
  per_lang: Record<string, LangFigures>;
  /** Every non-empty cell of the intent confusion matrix, diagonal included (counts sum to n), most frequent first. */
  confusion: ConfusionCell[];
  calibration: ReliabilityBin[];
  /** Wrong cases, highest confidence first. */
  worst: (CaseOutcome & { correct: false })[];
}

const round = (x: number, d = 4) => Number(x.toFixed(d));

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

/** Bin of a confidence among `bins` equal-width bins: (b/bins, (b+1)/bins], the first one closed at 0. */
function binOf(c: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.ceil(c * bins - 1e-9) - 1));
}

/** Reliability diagram data: per equal-width confidence bin, its size, mean confidence and accuracy. */
export function reliabilityBins(confidence: number[], correct: boolean[], bins = 10): ReliabilityBin[] {
  const out = Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, n: 0, confidence: 0, accuracy: 0 }));
  confidence.forEach((c, i) => {
    const bin = out[binOf(c, bins)]!;
    bin.n++;
    bin.confidence += c;
    bin.accuracy += correct[i] ? 1 : 0;
  });
  for (const b of out) {
    if (b.n) {
      b.confidence /= b.n;
      b.accuracy /= b.n;
    }
  }
  return out;
}

/** Expected calibration error: |accuracy − mean confidence| per bin, weighted by bin size. */
export function expectedCalibrationError(confidence: number[], correct: boolean[], bins = 10): number {
  const total = confidence.length;
  return reliabilityBins(confidence, correct, bins).reduce(
    (s, b) => s + (total ? (b.n / total) * Math.abs(b.accuracy - b.confidence) : 0),
    0,
  );
}

export function confusionCells(cases: Pick<CaseOutcome, 'expected' | 'got'>[]): ConfusionCell[] {
  const m = new Map<string, ConfusionCell>();
  for (const c of cases) {
    const k = JSON.stringify([c.expected, c.got]);
    const cell = m.get(k);
    if (cell) cell.count++;
    else m.set(k, { expected: c.expected, got: c.got, count: 1 });
  }
  return [...m.values()].sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected) || a.got.localeCompare(b.got));
}

export function confidentWrong(cases: CaseOutcome[]): ConfidentWrong {
  const answered = cases.filter((c) => c.answered);
  const count = answered.filter((c) => c.got !== c.expected).length;
  return {
    count,
    answered: answered.length,
    rate: round(answered.length ? count / answered.length : 0),
    rate_of_all: round(cases.length ? count / cases.length : 0),
  };
}

/** The `limit` labels with the most errors (as expected or as predicted), for the heatmap. */
export function mostConfusedLabels(cells: ConfusionCell[], limit: number): string[] {
  const errors = new Map<string, number>();
  for (const c of cells) {
    if (c.expected === c.got) continue;
    errors.set(c.expected, (errors.get(c.expected) ?? 0) + c.count);
    errors.set(c.got, (errors.get(c.got) ?? 0) + c.count);
  }
  return [...errors.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([l]) => l);
}

export function figures(cases: CaseOutcome[], worstLimit = 25): Figures {
  const correct = cases.map((c) => c.expected === c.got);
  const conf = cases.map((c) => c.confidence);
  const perLang: Record<string, LangFigures> = {};
  const byLang = new Map<string, CaseOutcome[]>();
  for (const c of cases) {
    if (!c.lang) continue;
    const list = byLang.get(c.lang);
    if (list) list.push(c);
    else byLang.set(c.lang, [c]);
  }
  for (const [lang, list] of byLang) {
    const ok = (c: CaseOutcome) => c.expected === c.got;
    perLang[lang] = {
      accuracy: round(list.filter(ok).length / list.length),
      n: list.length,
      answered_correct: list.filter((c) => c.answered && ok(c)).length,
      confident_wrong: list.filter((c) => c.answered && !ok(c)).length,
      unanswered_correct: list.filter((c) => !c.answered && ok(c)).length,
      unanswered_wrong: list.filter((c) => !c.answered && !ok(c)).length,
      top_confusions: confusionCells(list)
        .filter((c) => c.expected !== c.got)
        .slice(0, 3),
    };
  }
  return {
    accuracy: round(correct.filter(Boolean).length / Math.max(1, cases.length)),
    macro_f1: round(
      macroF1(
        cases.map((c) => c.expected),
        cases.map((c) => c.got),
      ),
    ),
    n: cases.length,
    ece: round(expectedCalibrationError(conf, correct)),
    confident_wrong: confidentWrong(cases),
    per_lang: perLang,
    confusion: confusionCells(cases),
    calibration: reliabilityBins(conf, correct).map((b) => ({ ...b, confidence: round(b.confidence), accuracy: round(b.accuracy) })),
    worst: cases
      .filter((c) => c.expected !== c.got)
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, worstLimit)
      .map((c) => ({ ...c, confidence: round(c.confidence), similarity: round(c.similarity), correct: false as const })),
  };
}
