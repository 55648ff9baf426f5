/** `sora eval` (intent model metrics on a labeled set) and `sora dataset split` (scripts/eval/). */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runEval } from '../eval/eval.js';
import { renderReport } from '../eval/report-html.js';
import { splitFile } from '../eval/split.js';
import { err, fail, cliConfig } from './support.js';

export async function run(args: string[], cmd: string): Promise<void> {
  if (cmd === 'dataset') return datasetSplit(args);
  return evaluate(args);
}

async function evaluate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      kb: { type: 'string' },
      cases: { type: 'string' },
      shots: { type: 'string' },
      seed: { type: 'string' },
      model: { type: 'string' },
      fusion: { type: 'string' },
      'label-column': { type: 'string' },
      'pivot-column': { type: 'string' },
      align: { type: 'string' },
      threshold: { type: 'string' },
      'min-similarity': { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.kb || !values.cases) fail('eval needs --kb and --cases');
  const unit = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!(x >= 0 && x <= 1)) fail(`--${name} must be a number between 0 and 1`);
    return x;
  };
  if (values.report !== undefined && !/\.html?$/i.test(values.report)) fail('--report must name an .html file');
  if (values.align !== undefined && !['ridge', 'mean', 'off'].includes(values.align)) fail('--align must be ridge, mean or off');
  const config = cliConfig();
  // Unset: as the live path is configured (SORA_LANGUAGE_ALIGNMENT).
  const align = values.align === undefined ? (config.understanding.languageAlignment ? 'ridge' : undefined) : values.align;
  const shots = values.shots === undefined ? undefined : Number(values.shots);
  if (shots !== undefined && (!Number.isInteger(shots) || shots < 1)) fail('--shots must be a positive integer');
  const r = await runEval({
    kb: values.kb,
    cases: values.cases,
    shots,
    seed: values.seed ? Number(values.seed) : 1,
    model: values.model,
    fusion: values.fusion ? Number(values.fusion) : undefined,
    labelColumn: values['label-column'],
    pivotColumn: values['pivot-column'],
    align: align === 'ridge' || align === 'mean' ? align : undefined,
    embedding: config.embedding,
    classifier: config.understanding,
    threshold: unit('threshold', values.threshold) ?? config.understanding.matchThreshold,
    minSimilarity: unit('min-similarity', values['min-similarity']) ?? config.understanding.minSimilarity,
    log: err,
  });
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  process.stdout.write(`model ${r.model}; KB ${r.kb_rows} rows, ${r.labels} labels; ${r.n} cases\n`);
  process.stdout.write(
    `top-1 accuracy ${pct(r.accuracy)}   macro-F1 ${pct(r.macro_f1)}   latency p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms per query   calibration error (ECE) ${r.ece}   memory ${r.rss_mb} MB RSS\n`,
  );
  const cw = r.confident_wrong;
  process.stdout.write(
    `confident wrong: ${cw.count} of ${cw.answered} answered were wrong (${pct(cw.rate)}; threshold ${r.threshold}, similarity floor ${r.min_similarity})\n`,
  );
  if (r.pivot)
    process.stdout.write(
      `pivot (column ${r.pivot.column}): ${r.pivot.offered} cases had a translation, its match was used for ${r.pivot.used}\n`,
    );
  if (r.alignment)
    process.stdout.write(
      `language alignment (${r.alignment.kind}): ${r.alignment.aligned} cases moved into English's region; ${r.alignment.from_cache ? 'read from the cache' : 'learned'} in ${r.alignment.build_ms} ms\n`,
    );
  for (const [lang, v] of Object.entries(r.per_lang))
    process.stdout.write(`  ${lang.padEnd(6)} ${pct(v.accuracy)}  (n=${v.n}, confident wrong ${v.confident_wrong})\n`);
  if (values.report) {
    const options = args.filter(
      (a, i) => !['--kb', '--cases', '--report'].includes(a) && !['--kb', '--cases', '--report'].includes(args[i - 1] ?? ''),
    );
    writeFileSync(values.report, renderReport(r, { kb: values.kb, cases: values.cases, options: options.join(' ') }));
    process.stdout.write(`report → ${values.report}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
}

function datasetSplit(args: string[]): void {
  if (args[0] !== 'split') fail('unknown dataset command');
  const { values } = parseArgs({
    args: args.slice(1),
    options: { in: { type: 'string' }, dev: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.in) fail('dataset split needs --in');
  const r = splitFile(values.in, values.out ?? '.sora/eval', Number(values.dev ?? 0.2), Number(values.seed ?? 7));
  process.stdout.write(`train ${r.sizes[0]} rows → ${r.train}\ndev   ${r.sizes[1]} rows → ${r.dev}\n`);
}
