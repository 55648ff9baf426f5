/**
 * `sora eval --report FILE.html`: one self-contained page (inline CSS and SVG, no script, nothing
 * fetched) with the figures of the JSON result. Every text from the data (buyer messages, labels,
 * file names) is HTML-escaped: cases are untrusted buyer text.
 * Figures carry `data-*` attributes so tests (and scripts) can read them back.
 */
import type { EvalResult } from './eval.js';
import { mostConfusedLabels, type ConfusionCell, type ReliabilityBin } from './metrics.js';

export interface ReportContext {
  kb: string;
  cases: string;
  /** How it was run, e.g. `--shots 10 --seed 1`. */
  options?: string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)} %`;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:24px auto;max-width:1180px;color:#1d2430;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.muted{color:#5f6b7a}.small{font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #dde2ea;border-radius:8px;padding:8px 14px;min-width:110px;background:#fafbfd}
.card b{display:block;font-size:20px}.card span{color:#5f6b7a;font-size:12px}
.card.alert{border-color:#e3a3a3;background:#fdf3f3}
table{border-collapse:collapse;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid #eceff4;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td{overflow-wrap:anywhere}td.text{min-width:240px;max-width:460px}
.bar{display:inline-block;height:10px;background:#4a7bd0;vertical-align:middle;border-radius:2px}
.row{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:32px;align-items:start}
.cols h2{margin-top:22px}
svg text{font-family:inherit}
details summary{cursor:pointer;color:#34507e}
`;

export function renderReport(r: EvalResult, ctx: ReportContext): string {
  const cw = r.confident_wrong;
  const cards: [string, string, string, boolean?][] = [
    ['accuracy', pct(r.accuracy, 2), 'top-1 accuracy'],
    ['macro_f1', pct(r.macro_f1, 2), 'macro-F1'],
    ['n', String(r.n), 'cases'],
    ['ece', r.ece.toFixed(3), 'calibration error (ECE, 10 bins)'],
    ['p50_ms', `${r.p50_ms} ms`, 'latency p50 per query'],
    ['p95_ms', `${r.p95_ms} ms`, 'latency p95 per query'],
    ['threshold', `${r.threshold} / ${r.min_similarity}`, 'threshold: confidence / similarity floor'],
    ['confident_wrong_rate', pct(cw.rate), `confident wrong: ${cw.count} of ${cw.answered} answered`, true],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sora eval report</title><style>${CSS}</style></head><body>
<h1>sora eval report</h1>
<div class="muted">model <code>${esc(r.model)}</code> · KB <code>${esc(ctx.kb)}</code> (${r.kb_rows} rows, ${r.labels} labels) · cases <code>${esc(ctx.cases)}</code>${ctx.options ? ` · <code>${esc(ctx.options)}</code>` : ''} · memory ${r.rss_mb} MB RSS</div>

<h2>Summary</h2>
<div class="cards" id="summary">${cards
    .map(
      ([k, v, label, alert]) =>
        `<div class="card${alert ? ' alert' : ''}" data-key="${k}"><b>${esc(v)}</b><span>${esc(label)}</span></div>`,
    )
    .join('')}</div>

<h2>Confident wrong answers</h2>
<p id="confident-wrong" data-count="${cw.count}" data-answered="${cw.answered}" data-rate="${cw.rate}" data-n="${r.n}">
Of the <b>${cw.answered}</b> cases the live gate would answer (confidence ≥ ${esc(r.threshold)} and similarity to the nearest KB
phrasing ≥ ${esc(r.min_similarity)}), <b>${cw.count}</b> were wrong: <b>${pct(cw.rate)}</b> of the answers sent
(${pct(cw.rate_of_all)} of all ${r.n} cases). The other ${r.n - cw.answered} would get “sorry, I didn't understand” and be logged for the seller.</p>

<div class="cols"><section>${perLanguage(r).accuracy}</section><section>${calibration(r)}</section></div>
${perLanguage(r).byLang}

<h2>Confusion by intent</h2>
${confusionByIntent(r)}

<h2>Worst examples</h2>
<p class="muted small">Wrong, highest confidence first (the ${r.worst.length} worst). “answered”: above the live gate.</p>
<table id="worst"><thead><tr><th>text</th><th>lang</th><th>expected</th><th>got</th><th class="num">confidence</th><th class="num">similarity</th><th>answered</th></tr></thead><tbody>
${r.worst
  .map(
    (w) =>
      `<tr data-confidence="${w.confidence}"><td class="text">${esc(w.text)}</td><td>${esc(w.lang ?? '')}</td><td>${esc(w.expected)}</td><td>${esc(w.got)}</td><td class="num">${w.confidence.toFixed(3)}</td><td class="num">${w.similarity.toFixed(3)}</td><td>${w.answered ? 'yes' : 'no'}</td></tr>`,
  )
  .join('\n')}
</tbody></table>

</body></html>
`;
}

function calibration(r: EvalResult): string {
  return `<h2>Calibration</h2>
${reliabilitySvg(r.calibration, r.threshold)}
<p class="muted small">Reliability diagram: bars are the accuracy of the cases in each confidence bin, the diagonal is perfect calibration;
a bar below the diagonal means over-confidence. The bar's shade grows with the number of cases; the dashed line is the threshold.</p>
<details><summary>Bins</summary><table id="calibration"><thead><tr><th>confidence</th><th class="num">n</th><th class="num">mean confidence</th><th class="num">accuracy</th></tr></thead><tbody>
${r.calibration
  .map(
    (b) =>
      `<tr data-n="${b.n}"><td>${b.lo.toFixed(1)}–${b.hi.toFixed(1)}</td><td class="num">${b.n}</td><td class="num">${b.n ? b.confidence.toFixed(3) : '–'}</td><td class="num">${b.n ? pct(b.accuracy) : '–'}</td></tr>`,
  )
  .join('\n')}
</tbody></table></details>`;
}

function perLanguage(r: EvalResult): { accuracy: string; byLang: string } {
  const langs = Object.entries(r.per_lang);
  if (!langs.length)
    return { accuracy: '<h2>Accuracy per language</h2><p class="muted">The cases have no <code>lang</code> column.</p>', byLang: '' };
  const rows = langs
    .map(
      ([lang, v]) =>
        `<tr data-lang="${esc(lang)}" data-n="${v.n}" data-accuracy="${v.accuracy}"><td>${esc(lang)}</td><td class="num">${v.n}</td><td class="num">${pct(v.accuracy)}</td><td><span class="bar" style="width:${Math.round(v.accuracy * 200)}px"></span></td></tr>`,
    )
    .join('\n');
  const outcome = langs
    .map(([lang, v]) => {
      const parts: [string, number, string][] = [
        ['answered_correct', v.answered_correct, '#3d9a5b'],
        ['confident_wrong', v.confident_wrong, '#d2463c'],
        ['unanswered_correct', v.unanswered_correct, '#a9d3b5'],
        ['unanswered_wrong', v.unanswered_wrong, '#f0b5ae'],
      ];
      const bar = parts
        .filter(([, n]) => n)
        .map(
          ([, n, color]) => `<span class="bar" style="width:${Math.round((n / v.n) * 200)}px;background:${color};border-radius:0"></span>`,
        )
        .join('');
      const tops = v.top_confusions.map((c) => `${esc(c.expected)} → ${esc(c.got)} (${c.count})`).join('<br>');
      return `<tr data-lang="${esc(lang)}">${parts.map(([k, n]) => `<td class="num" data-key="${k}">${n}</td>`).join('')}<td>${esc(lang)}</td><td>${bar}</td><td class="small">${tops || '–'}</td></tr>`;
    })
    .join('\n');
  return {
    accuracy: `<h2>Accuracy per language</h2>
<table id="per-lang"><thead><tr><th>lang</th><th class="num">n</th><th class="num">accuracy</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>`,
    byLang: `<h2>Confusion by language</h2>
<p class="muted small">Outcome of each case at the live gate: <span style="color:#3d9a5b">■</span> answered, right ·
<span style="color:#d2463c">■</span> answered, wrong (confident wrong) · <span style="color:#a9d3b5">■</span> not answered, top intent was right ·
<span style="color:#f0b5ae">■</span> not answered, top intent was wrong. Right: the language's most frequent confusions (expected → got).</p>
<table id="lang-confusion"><thead><tr><th class="num">answered right</th><th class="num">confident wrong</th><th class="num">unanswered right</th><th class="num">unanswered wrong</th><th>lang</th><th></th><th>top confusions</th></tr></thead><tbody>
${outcome}
</tbody></table>`,
  };
}

function confusionByIntent(r: EvalResult): string {
  const support = new Map<string, number>();
  for (const c of r.confusion) support.set(c.expected, (support.get(c.expected) ?? 0) + c.count);
  const wrong = r.confusion.filter((c) => c.expected !== c.got);
  const pairs = wrong
    .slice(0, 15)
    .map(
      (c) =>
        `<tr data-count="${c.count}"><td>${esc(c.expected)}</td><td>${esc(c.got)}</td><td class="num">${c.count}</td><td class="num">${pct(c.count / support.get(c.expected)!)}</td></tr>`,
    )
    .join('\n');
  const all = r.confusion
    .map(
      (c) =>
        `<tr data-expected="${esc(c.expected)}" data-got="${esc(c.got)}" data-count="${c.count}"><td>${esc(c.expected)}</td><td>${esc(c.got)}</td><td class="num">${c.count}</td></tr>`,
    )
    .join('\n');
  return `<div class="row"><div style="max-width:540px">
<p class="muted small">Most frequent confusions (${wrong.reduce((s, c) => s + c.count, 0)} errors in ${wrong.length} pairs); share = of the expected intent's cases.</p>
<table id="confused-pairs"><thead><tr><th>expected</th><th>got</th><th class="num">count</th><th class="num">share</th></tr></thead><tbody>
${pairs || '<tr><td colspan="4">no errors</td></tr>'}
</tbody></table></div>
${heatmapSvg(r.confusion, support)}</div>
<details><summary>All ${r.confusion.length} cells of the confusion matrix (diagonal included; counts sum to ${r.n})</summary>
<table id="confusion-cells"><thead><tr><th>expected</th><th>got</th><th class="num">count</th></tr></thead><tbody>
${all}
</tbody></table></details>`;
}

/** Rows: expected intent, columns: predicted, for the most-confused intents; cell shade = share of the row's cases. */
function heatmapSvg(cells: ConfusionCell[], support: Map<string, number>): string {
  const labels = mostConfusedLabels(cells, 15);
  if (!labels.length) return '';
  const count = new Map(cells.map((c) => [JSON.stringify([c.expected, c.got]), c.count]));
  const cell = 26;
  const longest = Math.max(...labels.map((l) => l.length));
  const left = Math.min(340, 12 + longest * 6.3);
  const top = Math.min(240, 12 + longest * 4.6);
  const w = left + labels.length * cell + top; // rotated column labels reach right by about `top`
  const h = top + labels.length * cell + 10;
  const rects: string[] = [];
  labels.forEach((exp, i) =>
    labels.forEach((got, j) => {
      const n = count.get(JSON.stringify([exp, got])) ?? 0;
      const share = n / (support.get(exp) || 1);
      const fill =
        n === 0
          ? '#f6f7fa'
          : i === j
            ? `rgba(61,154,91,${(0.15 + 0.85 * share).toFixed(3)})`
            : `rgba(210,70,60,${(0.15 + 0.85 * Math.min(1, share * 2)).toFixed(3)})`;
      const x = left + j * cell;
      const y = top + i * cell;
      rects.push(
        `<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}" data-expected="${esc(exp)}" data-got="${esc(got)}" data-count="${n}"><title>${esc(exp)} → ${esc(got)}: ${n}</title></rect>` +
          (n
            ? `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="10" fill="${share > 0.5 ? '#fff' : '#1d2430'}">${n}</text>`
            : ''),
      );
    }),
  );
  const rowLabels = labels.map(
    (l, i) => `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${esc(l)}</text>`,
  );
  const colLabels = labels.map((l, j) => {
    const x = left + j * cell + cell / 2;
    return `<text x="${x}" y="${top - 6}" font-size="11" transform="rotate(-45 ${x} ${top - 6})">${esc(l)}</text>`;
  });
  return `<figure style="margin:0;max-width:${w}px"><svg id="heatmap" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" style="max-width:100%;height:auto" viewBox="0 0 ${w} ${h}" role="img" aria-label="confusion heatmap">
${rowLabels.join('')}${colLabels.join('')}${rects.join('\n')}</svg>
<figcaption class="muted small">The ${labels.length} most-confused intents: rows expected, columns predicted; green diagonal = right, red = confusions (shade = share of the row).</figcaption></figure>`;
}

/** Reliability diagram (accuracy per confidence bin against the diagonal) with the threshold. */
function reliabilitySvg(bins: ReliabilityBin[], threshold: number): string {
  const size = 300;
  const pad = 40;
  const w = size + pad + 16;
  const h = size + pad + 16;
  const X = (c: number) => pad + c * size;
  const Y = (a: number) => 8 + (1 - a) * size;
  const maxN = Math.max(1, ...bins.map((b) => b.n));
  const bars = bins
    .filter((b) => b.n)
    .map((b) => {
      const x = X(b.lo) + 1;
      const bw = (b.hi - b.lo) * size - 2;
      const op = (0.35 + 0.65 * (b.n / maxN)).toFixed(3);
      return `<rect x="${x}" y="${Y(b.accuracy)}" width="${bw}" height="${Y(0) - Y(b.accuracy)}" fill="rgba(74,123,208,${op})" data-n="${b.n}" data-accuracy="${b.accuracy}"><title>${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: ${b.n} cases, accuracy ${pct(b.accuracy)}, mean confidence ${b.confidence.toFixed(3)}</title></rect>
<circle cx="${X(b.confidence)}" cy="${Y(b.accuracy)}" r="3" fill="#1d2430"/><text x="${x + bw / 2}" y="${Y(0) - 4}" text-anchor="middle" font-size="9" fill="#fff">${b.n}</text>`;
    })
    .join('\n');
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1]
    .map(
      (t) =>
        `<text x="${X(t)}" y="${Y(0) + 14}" text-anchor="middle" font-size="10">${t}</text><text x="${pad - 5}" y="${Y(t) + 3}" text-anchor="end" font-size="10">${t}</text><line x1="${pad}" x2="${X(1)}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eceff4"/>`,
    )
    .join('');
  return `<figure style="margin:0"><svg id="reliability" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" style="max-width:100%;height:auto" viewBox="0 0 ${w} ${h}" role="img" aria-label="reliability diagram">
${ticks}
<rect x="${pad}" y="${Y(1)}" width="${size}" height="${size}" fill="none" stroke="#9aa5b4"/>
${bars}
<line x1="${X(0)}" y1="${Y(0)}" x2="${X(1)}" y2="${Y(1)}" stroke="#1d2430" stroke-dasharray="2 3"/>
<line x1="${X(threshold)}" y1="${Y(0)}" x2="${X(threshold)}" y2="${Y(1)}" stroke="#d2463c" stroke-dasharray="6 4"/>
<text x="${X(threshold) + 4}" y="${Y(1) + 12}" font-size="10" fill="#d2463c">threshold ${esc(threshold)}</text>
<text x="${X(0.5)}" y="${h - 4}" text-anchor="middle" font-size="11">confidence</text>
<text x="10" y="${Y(0.5)}" font-size="11" transform="rotate(-90 10 ${Y(0.5)})" text-anchor="middle">accuracy</text>
</svg></figure>`;
}
