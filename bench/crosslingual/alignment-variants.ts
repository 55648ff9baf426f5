/**
 * Language-alignment variants side by side (README "Cross-lingual quality", "Tried … and not kept"):
 * the same e5 vectors and intent model as `sora eval`, the held-out and dev sets, and
 *   - no alignment; the shared ridge map (λ 0.3 / 1 / 3), as shipped with λ 1;
 *   - one map per language, pulled towards the shared map (λ 3 / 10 / 30 / 100);
 *   - the shared map learned with the Vietnamese catalog sentences added once more without diacritics.
 * Prints intent accuracy per set and language, and the messages whose detected language is not
 * their labelled one. Run: npm run -s bench:align (about 3 minutes on 2 cores).
 */
import { Embedder } from '../../activities/knowledge/embedder.js';
import { classifierOptions } from '../../activities/knowledge/embedding-models.js';
import { IntentModel } from '../../activities/knowledge/intent-model.js';
import { alignmentFromData, catalogSentences, ridgeMap } from '../../activities/knowledge/language-alignment.js';
import { detectLanguage } from '../../activities/understanding/language.js';
import { readLabeled } from '../../scripts/eval/labeled-csv.js';

type Case = { label: string; lang?: string; v: Float32Array; det: string };
type Mapper = (v: Float32Array, lang: string) => Float32Array | null;

const embedder = new Embedder({});
process.stderr.write(`model ${embedder.model}: embedding the KB, the cases and the catalogs …\n`);
const kb = readLabeled('bench/crosslingual/kb-en.csv');
const kbv = await embedder.embed(
  kb.map((r) => r.text),
  'passage',
);
const model = IntentModel.train(
  kbv,
  kb.map((r) => r.label),
  { seed: 1, ...classifierOptions(embedder.model, {}) },
);
const sets: Record<string, Case[]> = {};
for (const name of ['dev', 'test']) {
  const cases = readLabeled(`bench/crosslingual/${name}.csv`);
  const vs = await embedder.embed(
    cases.map((c) => c.text),
    'query',
  );
  sets[name] = cases.map((c, i) => ({ label: c.label, lang: c.lang, v: vs[i]!, det: detectLanguage(c.text, null, 'en') }));
  for (const [i, c] of cases.entries())
    if (c.lang && c.lang !== sets[name][i]!.det) console.log(`${name}: labelled ${c.lang}, detected ${sets[name][i]!.det}: ${c.text}`);
}

const unaccented = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
const sentences = catalogSentences();
sentences['vi-plain'] = Object.fromEntries(Object.entries(sentences.vi!).map(([k, s]) => [k, unaccented(s)]));
const V: Record<string, Record<string, Float32Array>> = {};
for (const [lang, byKey] of Object.entries(sentences)) {
  const keys = Object.keys(byKey);
  const vs = await embedder.embed(
    keys.map((k) => byKey[k]!),
    'query',
  );
  V[lang] = Object.fromEntries(keys.map((k, i) => [k, vs[i]!]));
}
await embedder.close();

const dims = kbv[0]!.length;
const mean = (vs: Float32Array[]) => {
  const m = new Float64Array(dims);
  for (const v of vs) for (let j = 0; j < dims; j++) m[j]! += v[j]! / vs.length;
  return m;
};
const en = V.en!;
const muEn = mean(Object.values(en));
/** Centred pairs (language → English) and each language's mean. */
function pairs(langs: string[]) {
  const X: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const means: Record<string, Float32Array> = {};
  for (const l of langs) {
    const src = V[l]!;
    const keys = Object.keys(src).filter((k) => en[k]);
    const mu = mean(keys.map((k) => src[k]!));
    means[l] = Float32Array.from(mu);
    for (const k of keys) {
      X.push(Float64Array.from(src[k]!, (x, j) => x - mu[j]!));
      Y.push(Float64Array.from(en[k]!, (x, j) => x - muEn[j]!));
    }
  }
  return { X, Y, means };
}
/** Ridge towards a prior map W0: W = (XᵀX + λI)⁻¹ (XᵀY + λW0) (ridgeMap is the case W0 = I), by Gauss–Jordan. */
function ridgeToward(X: Float64Array[], Y: Float64Array[], lambda: number, W0: Float64Array[]): Float64Array[] {
  const A = Array.from({ length: dims }, () => new Float64Array(dims));
  const B = W0.map((row) => Float64Array.from(row, (x) => x * lambda));
  for (let n = 0; n < X.length; n++) {
    const x = X[n]!;
    const y = Y[n]!;
    for (let i = 0; i < dims; i++)
      for (let j = 0; j < dims; j++) {
        A[i]![j]! += x[i]! * x[j]!;
        B[i]![j]! += x[i]! * y[j]!;
      }
  }
  for (let i = 0; i < dims; i++) A[i]![i]! += lambda;
  for (let c = 0; c < dims; c++) {
    const p = A[c]![c]!;
    for (let j = 0; j < dims; j++) {
      A[c]![j]! /= p;
      B[c]![j]! /= p;
    }
    for (let r = 0; r < dims; r++) {
      const f = r === c ? 0 : A[r]![c]!;
      if (!f) continue;
      for (let j = 0; j < dims; j++) {
        A[r]![j]! -= f * A[c]![j]!;
        B[r]![j]! -= f * B[c]![j]!;
      }
    }
  }
  return B;
}
const flat = (W: Float64Array[]) => Float32Array.from(W.flatMap((r) => Array.from(r)));
const shared = (langs: string[], lambda: number) => {
  const p = pairs(langs);
  const W = ridgeMap(p.X, p.Y, dims, lambda);
  return { W, a: alignmentFromData({ target: 'en', dims, muTarget: Float32Array.from(muEn), means: p.means, W: flat(W) }) };
};

function accuracy(name: string, map: Mapper | null): string {
  const per: Record<string, [number, number]> = {};
  let ok = 0;
  for (const c of sets[name]!) {
    const hit = model.predict((map && map(c.v, c.det)) ?? c.v).label === c.label ? 1 : 0;
    ok += hit;
    const l = (per[c.lang ?? '?'] ??= [0, 0]);
    l[0] += hit;
    l[1]++;
  }
  const langs = Object.entries(per).map(([l, [a, n]]) => `${l} ${((100 * a) / n).toFixed(1)}`);
  return `${((100 * ok) / sets[name]!.length).toFixed(1)} % [${langs.join(', ')}]`;
}
const report = (label: string, map: Mapper | null) =>
  console.log(`${label.padEnd(36)} dev ${accuracy('dev', map)}\n${''.padEnd(36)} held-out ${accuracy('test', map)}`);

const languages = Object.keys(V).filter((l) => l !== 'en' && l !== 'vi-plain');
report('no alignment', null);
const base = shared(languages, 1);
for (const lambda of [0.3, 1, 3]) {
  const { a } = lambda === 1 ? base : shared(languages, lambda);
  report(`shared ridge map, λ ${lambda}${lambda === 1 ? ' (shipped)' : ''}`, (v, l) => a.apply(v, l));
}
for (const lambda of [3, 10, 30, 100]) {
  const own = Object.fromEntries(
    languages.map((l) => {
      const p = pairs([l]);
      const W = ridgeToward(p.X, p.Y, lambda, base.W);
      return [l, alignmentFromData({ target: 'en', dims, muTarget: Float32Array.from(muEn), means: p.means, W: flat(W) })];
    }),
  );
  report(`one map per language, λ ${lambda}`, (v, l) => own[l]?.apply(v, l) ?? null);
}
const withPlain = shared([...languages, 'vi-plain'], 1).a;
report('shared + unaccented vi pairs', (v, l) => withPlain.apply(v, l));
